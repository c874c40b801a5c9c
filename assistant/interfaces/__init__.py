"""The faces of the assistant: the CLI, the chat REPL and the LangChain Runnable. May import every
other package; nothing imports them but the entry point."""
