"""Agent session logs as evidence: how long agents run unattended, how often people step in, what it costs.

Layout (one job per module):
- `model`: the normalised event and session records every reader produces.
- `lines`: bounded, streamed line reading and a safe folder walk (size/depth caps, no symlink loops).
- `claude`, `codex`, `gemini`, `aider`, `specstory`, `claude_markdown`, `entire`: one reader per format.
- `detect`: which reader a file or folder needs, by content; default locations.
- `collect`: runs the readers, de-duplicates across files, folds events into sessions.
- `prices`: the pinned price table (genai-prices) and cost of a token count.
- `metrics`: per session, per person-day, per team-week.
- `join`: sessions to commits.
- `summary`: the JSON document of `assess sessions summary`.
- `findings`: what the sessions say about autonomy and review (`assess.findings.Finding`).
- `export`: the privacy-preserving per-day bundle and `combine_bundles`.
"""
