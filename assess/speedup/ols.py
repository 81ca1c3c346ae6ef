"""Ordinary least squares with robust standard errors, in numpy, computed as statsmodels computes them.

Used for the observational estimate, which runs once per repository inside every `assess org`
worker. statsmodels (with scipy and patsy) costs about 0.9 s of CPU to import and a formula parse
per call; on two cores that is several percent of an organisation run, paid again by each worker.
The randomised study (``estimators``) keeps statsmodels. ``tests/test_ols.py`` checks these
figures against statsmodels on random and rank-deficient designs.

statsmodels' conventions, followed here:
- coefficients from the Moore-Penrose pseudo-inverse of the design (``OLS(...).fit()``, method
  "pinv"), so a rank-deficient design gives the minimum-norm solution, not an error;
- ``cov_type="cluster"``: CRV1, sum over clusters of (X_g' u_g)(X_g' u_g)', with the correction
  G/(G-1) * (N-1)/(N-K), K the number of columns;
- ``cov_type="HC3"``: residuals scaled by 1/(1-h_ii), h the leverage.
"""

from __future__ import annotations

import numpy as np


def ols_fit(design: np.ndarray, y: np.ndarray, *, clusters: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Coefficients and standard errors of ``y ~ design`` (the design includes its intercept).

    ``clusters``: one integer label per row for cluster-robust errors (CRV1); without it, HC3."""
    params, bse, _ = ols_fit_identified(design, y, clusters=clusters)
    return params, bse


def ols_fit_identified(design: np.ndarray, y: np.ndarray, *,
                       clusters: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``ols_fit`` plus, per column, whether the data identify its coefficient.

    A column that is a combination of the others (all of one author's changes AI-attributed, say)
    still gets statsmodels' minimum-norm figure and a finite error, but that figure is an artefact
    of the pseudo-inverse, not an estimate. Column j is identified when the unit vector e_j lies in
    the design's row space, i.e. when the projection pinv(X) X keeps it: (pinv(X) X)_jj = 1."""
    x = np.asarray(design, dtype=float)
    y = np.asarray(y, dtype=float)
    pinv_x = np.linalg.pinv(x, rcond=1e-15)  # statsmodels' default cut-off for pinv
    params = pinv_x @ y
    resid = y - x @ params
    bread = pinv_x @ pinv_x.T  # (X'X)^-1, statsmodels' normalized_cov_params
    if clusters is not None:
        labels, group = np.unique(np.asarray(clusters), return_inverse=True)
        scores = np.zeros((len(labels), x.shape[1]))
        np.add.at(scores, group, x * resid[:, None])  # X_g' u_g for each cluster g
        cov = bread @ (scores.T @ scores) @ bread
        n, k, g = x.shape[0], x.shape[1], len(labels)
        cov *= g / (g - 1.0) * ((n - 1.0) / float(n - k))
    else:
        leverage = np.einsum("ij,ji->i", x, pinv_x)
        scale = (resid / (1.0 - leverage)) ** 2
        cov = (pinv_x * scale) @ pinv_x.T
    identified = np.abs(np.einsum("ij,ji->i", pinv_x, x) - 1.0) < 1e-6
    return params, np.sqrt(np.diag(cov)), identified
