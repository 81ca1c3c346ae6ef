"""A whole organisation: many repositories (one Dask task each), teams, and one report.

Public API::

    run_org(sources, out_dir, teams_file=None, options=OrgOptions(), engine="dask", scheduler=None,
            workers=None, min_group=5) -> dict   # the org.json document
    assess_repository(path, options) -> dict     # what each task runs for one repository
"""

from assess.org.options import OrgOptions, RepoSource, TeamPeople
from assess.org.run import Progress, run_org
from assess.org.task import assess_repository, run_repository

__all__ = ["OrgOptions", "Progress", "RepoSource", "TeamPeople", "assess_repository", "run_org", "run_repository"]
