#!/usr/bin/env python3
"""Cross-check of labelnoise's noise estimators and detection measures (src/estimate/).

On the same out-of-sample predicted probabilities, labelnoise must give exactly what the reference
implementations give:

* cleanlab 2.9 (`cleanlab.count.get_confident_thresholds`, `compute_confident_joint`,
  `estimate_joint`, `num_label_issues(estimation_method="off_diagonal_calibrated")`,
  `cleanlab.filter.find_label_issues(filter_by="prune_by_noise_rate")`): thresholds, raw and
  calibrated confident joint, T-hat, the estimated error count and the flagged set;
* a NumPy transcription of Patrini et al.'s `NoiseEstimator.fit` (below): the anchor estimate at
  the 97th percentile (their filter) and at the most confident sample;
* scikit-learn (`roc_auc_score`, `average_precision_score`, `precision_recall_fscore_support`):
  the detection measures of the self-confidence score.

Never a runtime dependency of labelnoise. Run (from the repository root):

    python3 -m venv /tmp/cl && /tmp/cl/bin/pip install cleanlab numpy   # scikit-learn comes along
    cargo test --release --test it crosscheck      # writes target/tmp/crosscheck/cases.json
    /tmp/cl/bin/python scripts/crosscheck/cleanlab_check.py [target/tmp/crosscheck/cases.json]
    /tmp/cl/bin/python scripts/crosscheck/cleanlab_check.py --hand   # the unit test's example

Exit status 1 if anything differs.
"""

import json
import sys

import numpy as np
from cleanlab.count import (
    compute_confident_joint,
    estimate_joint,
    estimate_latent,
    get_confident_thresholds,
    num_label_issues,
)
from cleanlab.filter import find_label_issues
from sklearn.metrics import average_precision_score, precision_recall_fscore_support, roc_auc_score


def patrini_anchor(eta_corr, filter_outlier, percentile=97, in_place=False):
    """NoiseEstimator.fit of github.com/giorgiop/loss-correction (noise.py), with row_normalize=True,
    alpha=0, cliptozero=False; `eta_corr` is classifier.predict_proba(X).

    Their code writes `robust_eta = eta_corr[:, i]` (a view) and zeroes its top entries in place, so
    later rows of T are read from a modified matrix; `in_place=True` keeps that, False reads the
    model's own predictions (labelnoise's choice)."""
    eta_corr = eta_corr.copy()
    c = eta_corr.shape[1]
    T = np.empty((c, c))
    for i in np.arange(c):
        if not filter_outlier:
            idx_best = np.argmax(eta_corr[:, i])
        else:
            eta_thresh = np.percentile(eta_corr[:, i], percentile, method="higher")
            robust_eta = eta_corr[:, i] if in_place else eta_corr[:, i].copy()
            robust_eta[robust_eta >= eta_thresh] = 0.0
            idx_best = np.argmax(robust_eta)
        for j in np.arange(c):
            T[i, j] = eta_corr[idx_best, j]
    T /= T.sum(axis=1)[:, np.newaxis]
    return T


def transition_from_joint(joint, n):
    """T-hat[true i][observed j] from cleanlab's joint P(observed, true): the integer counts back
    (joint * n is within an ulp of an integer), each true class's column normalized."""
    cj = np.rint(joint * n)
    cols = cj.sum(axis=0)
    t = cj.T / np.where(cols == 0, 1, cols)[:, None]
    t[cols == 0] = np.eye(len(cols))[cols == 0]
    return t


def check_case(case):
    name = case["name"]
    p = np.array(case["probs"], dtype=float)
    y = np.array(case["labels"])
    n = len(y)
    problems = []

    def same(what, ours, theirs, exact=True):
        ours, theirs = np.asarray(ours, dtype=float), np.asarray(theirs, dtype=float)
        ok = ours.shape == theirs.shape and (
            np.array_equal(ours, theirs) if exact else np.allclose(ours, theirs, rtol=0, atol=1e-12)
        )
        if not ok:
            diff = np.max(np.abs(ours - theirs)) if ours.shape == theirs.shape else "shape"
            problems.append(f"{what}: differs (max |diff| {diff})")
        return ok

    same("thresholds", case["thresholds"], get_confident_thresholds(y, p))
    same("raw confident joint", case["raw"], compute_confident_joint(y, p, calibrate=False))
    calibrated = compute_confident_joint(y, p, calibrate=True)
    same("calibrated confident joint", case["calibrated"], calibrated)
    joint = estimate_joint(y, p)
    same("estimate_joint", np.array(case["calibrated"]) / n, joint)
    same("T-hat", case["transition"], transition_from_joint(joint, n))
    # cleanlab's own noise matrix clips noise rates; equal up to that clipping.
    _, noise_matrix, _ = estimate_latent(calibrated, y)
    clip_gap = np.max(np.abs(np.array(case["transition"]) - noise_matrix.T))
    m = num_label_issues(y, p, estimation_method="off_diagonal_calibrated")
    same("estimated number of errors", case["estimated_errors"], m)
    issues = np.flatnonzero(find_label_issues(y, p, filter_by="prune_by_noise_rate"))
    same("find_label_issues(prune_by_noise_rate)", case["issues"], issues)
    same("anchor, 97th percentile", case["anchor_97"], patrini_anchor(p, True))
    same("anchor, most confident", case["anchor_100"], patrini_anchor(p, False))
    verbatim = patrini_anchor(p, True, in_place=True)
    in_place_gap = np.max(np.abs(np.array(case["anchor_97"]) - verbatim))

    wrong = np.array(case["wrong"], dtype=bool)
    sc = case["self_confidence"]
    scores = np.array(sc["scores"])
    flagged = np.zeros(n, dtype=bool)
    flagged[sc["top"]] = True
    same("self-confidence top m-hat", sorted(sc["top"]), sorted(np.argsort(-scores, kind="stable")[:m]))
    prec, rec, f1, _ = precision_recall_fscore_support(wrong, flagged, average="binary", zero_division=0)
    same("precision/recall/F1", sc["prf"], [prec, rec, f1], exact=False)
    same("AUROC", sc["auroc"], roc_auc_score(wrong, scores), exact=False)
    same("average precision", sc["ap"], average_precision_score(wrong, scores), exact=False)
    status = "ok" if not problems else "DIFFERS"
    print(
        f"{name}: n={n} K={p.shape[1]} {status}; m-hat={m}, flagged={len(issues)}; "
        f"T-hat vs cleanlab's clipped noise_matrix.T: max {clip_gap:.2e}; "
        f"anchor vs Patrini's in-place zeroing: max {in_place_gap:.2e}"
    )
    for pr in problems:
        print("   ", pr)
    return not problems


def hand():
    """The example of src/estimate/confident/tests.rs, for its comment."""
    p = np.array(
        [[0.8, 0.1, 0.1], [0.6, 0.3, 0.1], [0.2, 0.7, 0.1], [0.1, 0.8, 0.1], [0.2, 0.6, 0.2],
         [0.1, 0.2, 0.7], [0.1, 0.1, 0.8], [0.3, 0.1, 0.6], [0.4, 0.3, 0.3]]
    )
    y = np.array([0, 0, 0, 1, 1, 1, 2, 2, 0])
    print("thresholds", get_confident_thresholds(y, p).tolist())
    print("raw", compute_confident_joint(y, p, calibrate=False).tolist())
    print("calibrated", compute_confident_joint(y, p).tolist())
    print("issues", np.flatnonzero(find_label_issues(y, p, filter_by="prune_by_noise_rate")).tolist())
    from cleanlab.internal.util import round_preserving_sum

    for v in ([2.6, 2.6, 2.8], [0.4, 0.4, 0.2], [2.5, 0.5]):
        print("round_preserving_sum", v, round_preserving_sum(v).tolist())


def main():
    if "--hand" in sys.argv:
        hand()
        return 0
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    path = args[0] if args else "target/tmp/crosscheck/cases.json"
    with open(path) as f:
        cases = json.load(f)["cases"]
    ok = all([check_case(c) for c in cases])
    print("all equal" if ok else "DIFFERENCES FOUND")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
