"""Word lists of the English language that who-said-what and chat follow-ups need, in one place.

Only language: verbs of speech, pronouns, role and organisation nouns, the words that introduce
a title, the words that make a question lean on the one before it. Never names, places or topics of any corpus: speakers, places and organisations are
recognised by the spaCy pipeline, not listed here.
"""

from __future__ import annotations

import re

# Lemmas of verbs that report speech or writing ("said", "tweeted", "recalled", "interjected").
SPEECH_LEMMAS = frozenset(
    """say tell add write tweet post recall remember explain insist argue warn note state declare announce
    acknowledge admit claim reply respond continue promise predict concede observe suggest ask urge stress
    emphasize emphasise complain confirm comment interject counter quip joke shout whisper mutter plead
    testify describe call conclude caution vow pledge boast deny agree disagree recount reiterate report read
    remark assert maintain answer exclaim retort lament muse acknowledge charge allege contend declare
    predict opine concur proclaim scoff sigh quote believe think feel hope fear indicate accuse denounce condemn
    criticise criticize""".split()
)

_IRREGULAR_FORMS = {"say": ["said"], "tell": ["told"], "write": ["wrote", "written"], "think": ["thought"],
                    "feel": ["felt"], "read": ["read"], "deny": ["denied", "denies"], "reply": ["replied", "replies"],
                    "testify": ["testified", "testifies"], "quip": ["quipped"], "plead": ["pled"]}


def _forms(lemma: str) -> set[str]:
    stem = lemma[:-1] if lemma.endswith("e") else lemma
    forms = {lemma, lemma + "s", stem + "ed", stem + "ing", *_IRREGULAR_FORMS.get(lemma, [])}
    if re.search(r"[^aeiou][aeiou][bdglmnprt]$", lemma):  # "admit": "admitted" (a doubled form that is
        forms |= {lemma + lemma[-1] + "ed", lemma + lemma[-1] + "ing"}  # no word is harmless: "counterred")
    return forms


# Every inflected form of those verbs ("stating", "tweeted"), for matching raw text.
SPEECH_FORMS = frozenset(f for lemma in SPEECH_LEMMAS for f in _forms(lemma))

# Verbs that report speech only with their particle ("he went on", "she shot back"): form -> particle.
PHRASAL_SPEECH_FORMS = {
    **{f: "on" for f in ("go", "goes", "went", "going")}, **{f: "back" for f in ("shoot", "shoots", "shot")},
    **{f: "back" for f in ("fire", "fires", "fired", "hit", "hits", "write", "writes", "wrote")},
    **{f: "in" for f in ("chime", "chimes", "chimed", "weigh", "weighs", "weighed")},
    **{f: "out" for f in ("point", "points", "pointed", "speak", "speaks", "spoke")},
}

# Pronouns that stand for one person named earlier.
PERSON_PRONOUNS = frozenset({"he", "she"})

# Pronouns that stand for no one ("It “…,” said Doe": a subject the parser may add beside the speaker).
EMPTY_PRONOUNS = frozenset({"it", "this", "that", "there"})

# Words of a person's title or description that say which of "he" and "she" stands for them.
FEMININE_WORDS = frozenset(
    """ms mrs miss madam madame lady dame queen princess duchess countess baroness empress sister mother wife
    daughter widow actress chairwoman spokeswoman congresswoman businesswoman councilwoman grandmother aunt
    girl woman""".split()
)
MASCULINE_WORDS = frozenset(
    """mr sir lord king prince duke baron emperor brother father husband son widower spokesman congressman
    businessman councilman grandfather uncle boy man""".split()
)

# Nouns for something said: whoever owns one said the words it introduces ("Doe's claim that …").
SPEECH_NOUNS = frozenset(
    """accusation allegation claim statement remark comment words warning promise pledge threat demand denial
    assertion insistence admission assessment prediction vow plea appeal argument complaint charge""".split()
)

# Forms of address that only stand before a person's name ("Ms Vale said", whatever the tagger calls it).
HONORIFICS = frozenset("mr mrs ms miss dr sir dame lady lord prof".split())

# Determiners and quantifiers that make a description an unnamed source ("an official said").
INDEFINITE = frozenset({"a", "an", "one", "another", "some", "several", "many", "two", "three", "other"})

# Nouns for a body that speaks as one ("the company said"): they stand for an organisation named earlier.
ORGANISATION_NOUNS = frozenset(
    """company firm group union agency department ministry government administration organisation
    organization association council committee commission board bank court office bureau party campaign
    team club network channel newspaper paper magazine studio publisher corporation center centre institute
    university school hospital service police army military navy embassy orchestra foundation college academy
    society trust authority league federation alliance coalition airline charity church festival theatre
    theater museum library retailer carrier insurer manufacturer maker developer operator regulator watchdog
    broadcaster startup laboratory lab""".split()
)

# Head words of the names of bodies and places ("Doe Community College", "Roe Holdings"): a
# capitalised run holding one is not a person's name, whatever else it looks like.
NAME_OF_BODY_WORDS = ORGANISATION_NOUNS | frozenset(
    """inc corp ltd llc plc co holdings partners airlines airways energy media news systems technologies labs
    health capital fund ventures industries international services solutions motors times post herald tribune
    press radio television tv studios records mosque temple hotel restaurant cafe market stadium airport
    station movement front force guard command county city town village district province street road avenue
    park river lake valley bay beach island bridge tunnel tower hall project program programme initiative""".split()
)

# Abbreviated titles before a name ("Sen. Jo Doe") and the word a later description uses ("the senator").
TITLE_ABBREVIATIONS = {
    "sen": "senator", "rep": "representative", "gov": "governor", "gen": "general", "lt": "lieutenant",
    "col": "colonel", "sgt": "sergeant", "det": "detective", "supt": "superintendent", "insp": "inspector",
    "prof": "professor", "dr": "doctor", "pres": "president", "atty": "attorney", "cmdr": "commander",
    "capt": "captain", "adm": "admiral", "maj": "major", "cpl": "corporal", "rev": "reverend", "amb": "ambassador",
    "cllr": "councillor", "coun": "councillor", "const": "constable", "assemb": "assemblymember", "del": "delegate",
}
# Those that always stand for a title: "Del." also ends "Dover, Del." and "del" is a particle of names
# ("Ana del Río"). One token, no sentence end, a role word before a name.
NAME_TITLE_ABBREVIATIONS = frozenset(TITLE_ABBREVIATIONS.keys() - {"del"})

# US party letters and state abbreviations as news writes them after a legislator's name ("D-Ore.",
# "R-TX"), and the words a later description uses ("the Ohio Democrat").
PARTY_LETTERS = {"d": "democrat", "r": "republican", "i": "independent"}
US_STATE_ABBREVIATIONS = {
    "ala": "alabama", "al": "alabama", "alaska": "alaska", "ak": "alaska", "ariz": "arizona", "az": "arizona",
    "ark": "arkansas", "ar": "arkansas", "calif": "california", "ca": "california", "colo": "colorado",
    "co": "colorado", "conn": "connecticut", "ct": "connecticut", "del": "delaware", "de": "delaware",
    "fla": "florida", "fl": "florida", "ga": "georgia", "hawaii": "hawaii", "hi": "hawaii", "idaho": "idaho",
    "id": "idaho", "ill": "illinois", "il": "illinois", "ind": "indiana", "in": "indiana", "iowa": "iowa",
    "ia": "iowa", "kan": "kansas", "ks": "kansas", "ky": "kentucky", "la": "louisiana", "maine": "maine",
    "me": "maine", "md": "maryland", "mass": "massachusetts", "ma": "massachusetts", "mich": "michigan",
    "mi": "michigan", "minn": "minnesota", "mn": "minnesota", "miss": "mississippi", "ms": "mississippi",
    "mo": "missouri", "mont": "montana", "mt": "montana", "neb": "nebraska", "ne": "nebraska", "nev": "nevada",
    "nv": "nevada", "n.h": "new hampshire", "nh": "new hampshire", "n.j": "new jersey", "nj": "new jersey",
    "n.m": "new mexico", "nm": "new mexico", "n.y": "new york", "ny": "new york", "n.c": "north carolina",
    "nc": "north carolina", "n.d": "north dakota", "nd": "north dakota", "ohio": "ohio", "oh": "ohio",
    "okla": "oklahoma", "ok": "oklahoma", "ore": "oregon", "or": "oregon", "pa": "pennsylvania",
    "r.i": "rhode island", "ri": "rhode island", "s.c": "south carolina", "sc": "south carolina",
    "s.d": "south dakota", "sd": "south dakota", "tenn": "tennessee", "tn": "tennessee", "texas": "texas",
    "tx": "texas", "utah": "utah", "ut": "utah", "vt": "vermont", "va": "virginia", "wash": "washington",
    "wa": "washington", "w.va": "west virginia", "wv": "west virginia", "wis": "wisconsin", "wi": "wisconsin",
    "wyo": "wyoming", "wy": "wyoming",
}

# Nouns for documents: what they "say" has no person behind it that the sentence names.
DOCUMENT_NOUNS = frozenset("statement report document letter study survey memo filing release notice post".split())

# Nouns of role and rank that stand before a name ("Defence Secretary Donald Rumsfeld").
ROLE_NOUNS = frozenset(
    """president vice prime minister secretary senator sen representative rep governor gov chancellor king queen
    prince princess mr mrs ms dr general gen chief executive chairman chairwoman chair treasurer mayor judge
    justice ambassador envoy spokesman spokeswoman spokesperson leader premier director officer commissioner
    deputy attorney speaker captain coach commander colonel sheikh pope bishop archbishop cardinal professor prof
    economist analyst advisor adviser minister defence defense foreign finance interior state acting former
    senate house minority majority assistant lieutenant sergeant detective inspector superintendent
    councillor councilor alderman sir dame lady lord baron baroness duke duchess cabinet health education
    immigration trade environment agriculture transport labour labor energy treasury""".split()
) | NAME_TITLE_ABBREVIATIONS  # "Sgt", "Cllr"…

# Nouns of occupation that may stand before a name ("Actor Jo Bloggs", "Fellow student Jo Bloggs"), left out of
# the name; unlike titles, many are surnames too ("Mr Weaver"), so alone they are a name.
OCCUPATION_NOUNS = frozenset(
    """actor actress singer author writer novelist poet artist producer student farmer nurse teacher doctor
    lawyer activist scientist researcher historian journalist reporter editor player striker goalkeeper
    manager owner founder delegate candidate veteran fellow weaver baker builder""".split()
)

# Words right before a quotation that make it a name or a title, not speech ('a film titled "X"').
TITLE_CUES = frozenset({"titled", "entitled", "called", "dubbed", "named", "nicknamed", "labelled", "labeled",
                        "branded", "word", "term", "phrase", "slogan", "hashtag", "headline", "known"})

# Irregular past forms common in news, mapped to their base verb so "meet" finds "met".
# Forms that are mostly other words in news ("left", "led", "won", "saw", "found", "fed", "wound") are left out.
PAST_FORM_LEMMAS = {
    "met": "meet", "spoke": "speak", "spoken": "speak", "took": "take", "taken": "take", "gave": "give",
    "given": "give", "went": "go", "gone": "go", "came": "come", "made": "make", "sold": "sell",
    "bought": "buy", "fell": "fall", "fallen": "fall", "rose": "rise", "risen": "rise", "ran": "run",
    "began": "begin", "begun": "begin", "held": "hold", "brought": "bring", "thought": "think",
    "chose": "choose", "chosen": "choose", "drove": "drive", "driven": "drive", "grew": "grow",
    "grown": "grow", "knew": "know", "known": "know", "paid": "pay", "sent": "send", "spent": "spend",
    "struck": "strike", "wrote": "write", "written": "write", "fought": "fight", "sought": "seek",
    "kept": "keep", "lost": "lose", "built": "build", "flew": "fly", "flown": "fly", "sank": "sink",
    "shot": "shoot", "stood": "stand", "understood": "understand", "withdrew": "withdraw",
    "withdrawn": "withdraw", "arose": "arise", "forbade": "forbid", "forgave": "forgive", "froze": "freeze",
    "frozen": "freeze", "hid": "hide", "hidden": "hide", "sprang": "spring", "stole": "steal",
    "stolen": "steal", "swore": "swear", "sworn": "swear", "threw": "throw", "thrown": "throw",
    "overtook": "overtake", "undertook": "undertake", "broke": "break", "broken": "break", "caught": "catch", "dealt": "deal",
    "drew": "draw", "drawn": "draw", "felt": "feel", "forgot": "forget", "hung": "hang",
    "heard": "hear", "meant": "mean", "rode": "ride", "sang": "sing", "sat": "sit",
    "slid": "slide", "spun": "spin", "swept": "sweep", "taught": "teach",
    "tore": "tear", "torn": "tear", "woke": "wake", "wore": "wear", "worn": "wear",
}

# Question words and auxiliaries that start a question, not a name ("What did X say?").
QUESTION_WORDS = frozenset("what who whom whose which when where why how did does do is are was were has have "
                           "had will would could should can and but so also".split())

# Forms of the verbs with which a question asks what someone said or thought ("What did X say?",
# "How did Y react?", "What are Z's views?").
QUESTION_SPEECH_FORMS = frozenset(
    """say says said saying tell told state stated describe describes described call called calls warn warned warns
    promise promised promises claim claimed claims think thought react reacted respond responded quote quotes quoted
    remark remarked assert asserted argue argues argued comment commented mean meant characterise characterize
    characterised characterized characterises characterizes view views feel felt""".split()
)

# Words too common to say what a question or a passage is about (for term matching and BM25).
STOPWORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further had has
    have having he her here hers herself him himself his how i if in into is it its itself just me more
    most my myself no nor not now of off on once only or other our ours ourselves out over own same she
    should so some such than that the their theirs them themselves then there these they this those
    through to too under until up very was we were what when where which while who whom why will with
    would you your yours yourself yourselves said say says tell told according whats who's what's
    did does do mr mrs ms its it's there's any many much one two""".split()
)

# Numbers written as words: a question about an amount may be answered by them (not "one": "one of the").
NUMBER_WORDS = frozenset(
    "two three four five six seven eight nine ten eleven twelve twenty thirty forty fifty hundred hundreds "
    "thousand thousands million millions billion billions mln bln dozen".split()
)

# --- follow-up questions in a chat -------------------------------------------------------------

# Personal pronouns that point back to something named earlier (third person only: "I" and "you"
# are the speakers of the chat). Possessives ("its", "his") are told apart by their part-of-speech tag.
ANAPHORIC_PRONOUNS = frozenset("he she it they him her them his its their hers theirs".split())

# Pronouns that need a singular antecedent; the others ("they", "them", "their") take any noun.
SINGULAR_PRONOUNS = frozenset("he she it him her his its hers".split())

# Demonstratives; as a pronoun or determiner ("that", "those figures") they point back, except
# inside a date or time ("this year").
DEMONSTRATIVES = frozenset("this that these those".split())

# Adverbs that point back to a place or a time named earlier ("who lived there?").
ANAPHORIC_ADVERBS = frozenset({"there", "then"})

# Words that open a question continuing the previous one ("And in Spain?", "What about bicycles?").
CONTINUATION_OPENERS = ("and what about", "what about", "how about", "and", "but", "so", "also")

# Words that compare with, or add to, something said before ("did the board do the same?", "who else?",
# "did Norway agree too?").
ADDITIVE_ADVERBS = frozenset({"too", "also", "else", "instead", "either"})
SAME_PHRASES = ("the same", "as well")

# --- the vocabulary of a web page's furniture (html_chrome.py) --------------------------------

# Words of a share or follow bar ("Share", "Copy link", "Follow us on Facebook"): a short line
# made only of these is not article text.
SHARE_BAR_WORDS = frozenset(
    """share shares shared sharing tweet email e-mail mail print copy copied link links url save saved bookmark
    comment comments facebook twitter x linkedin whatsapp reddit pinterest telegram flipboard messenger bluesky
    threads instagram youtube tiktok mastodon sms follow us on via close gift article this story page""".split()
)

# Words of a cookie or consent notice; a paragraph that speaks of cookies with two of them is one.
CONSENT_WORDS = frozenset(
    """consent consents accept accepting accepted reject rejecting decline preferences settings browser browsing
    website websites site opt-out opt-in privacy policy third-party tracking personalise personalize personalised
    personalized partners analytics analytical advertising advertisement ads functional functionality necessary
    essential visitors visitor track tracks tracked""".split()
)

# Languages named in their own language and script: a menu of editions or translations.
LANGUAGE_AUTONYMS = frozenset(
    """english español espanol français francais deutsch italiano português portugues nederlands polski русский
    українська türkçe turkce svenska norsk dansk suomi čeština cestina magyar română romana ελληνικά български
    srpski hrvatski slovenčina slovenščina العربية فارسی اردو עברית हिन्दी हिंदी বাংলা தமிழ் 中文 简体中文 繁體中文
    日本語 한국어 tiếng việt bahasa indonesia melayu kiswahili hausa yorùbá igbo afrikaans""".split()
)

# How a line that points elsewhere begins: related stories, newsletters, apps, video.
PROMO_OPENERS = (
    "read more", "read also", "also read", "read next", "related", "see also", "more from", "more on", "more:",
    "most popular", "most read", "recommended", "trending", "sign up", "subscribe", "download the", "get the app",
    "watch:", "watch now", "listen:", "listen now", "click here", "follow us", "advertisement", "skip to",
    "you may also like", "you might also like", "don't miss", "don’t miss", "editor's picks", "editor’s picks",
    "tags:", "topics:", "filed under", "©", "copyright ©", "all rights reserved",
    "table of contents", "contents", "on this page", "in this article", "jump to", "author", "about the author",
    "learn more about", "latest from", "the latest from", "more stories", "share this", "print this",
)

# How a photo caption's credit is marked ("Photo: ...", "(Image credit: ...)").
CREDIT_WORDS = ("photo", "photos", "image", "images", "picture", "photograph", "illustration", "video", "credit",
                "credits", "caption")
