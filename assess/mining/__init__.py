"""Evidence collection from git: history frames, attribution, artefacts. Never judges."""

from assess.mining.evidence import build_evidence, commit_rows
from assess.mining.miner import RepoMining, mine_repository

__all__ = ["RepoMining", "build_evidence", "commit_rows", "mine_repository"]
