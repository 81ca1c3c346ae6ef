"""`assess ci`: a pull request or push in the team's CI — the change's agents and AI share, the
repository's level and trend, the next gate, other evidence sources and the policy gates.

Public API::

    run_ci(path, base=..., head=..., policy=..., labels=..., env=...) -> CiResult(document, summary, exit_code)
    load_policy(path) -> Policy;  context_from_environment(env) -> CiContext
    assess.ci.sources.register("forge" | "sessions", provider)   # the hook for other evidence
"""

from __future__ import annotations

from assess.ci.env import CiContext, context_from_environment
from assess.ci.policy import DEFAULT_POLICY, Policy, load_policy
from assess.ci.run import EXIT_PASS, EXIT_POLICY_FAILED, EXIT_USAGE, CiResult, run_ci
from assess.ci.summary import MARKER, render_summary

__all__ = ["DEFAULT_POLICY", "EXIT_PASS", "EXIT_POLICY_FAILED", "EXIT_USAGE", "MARKER", "CiContext", "CiResult",
           "Policy", "context_from_environment", "load_policy", "render_summary", "run_ci"]
