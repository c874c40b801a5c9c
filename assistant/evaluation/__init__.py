"""Evals: the runner and scoring of eval sets, HTML extraction and page-label scoring. May import every
package but interfaces."""
