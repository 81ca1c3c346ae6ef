"""Review evidence from the forge (GitHub pull requests, GitLab merge requests).

Sources collect: `github` / `gitlab` fetch over the network (only when `assess forge fetch` runs),
`imports` reads saved exports; both write one normalised record per pull request to a `store`.
`classify` labels each pull request (agent, assisted, human, automation) from the signature
catalogue, `measures` computes the review measures, `summary` aggregates them and `findings` judges
the review dimension with thresholds from the rubric's `forge:` section.
"""
