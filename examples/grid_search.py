"""GridSearchCV over the description encoder's filter sizes and the batch-size thresholds.

Scored by Top-5 accuracy and BLEU@1, refitted on the best Top-5. Runs on task
statements of 60 O*NET occupations (bundled data) in a few minutes on 2 cores.

    python examples/grid_search.py [--tiny]
"""

import pandas as pd
from sklearn.model_selection import GridSearchCV, StratifiedKFold

from job2vec import TitlePredictor
from job2vec.metrics import bleu_scorer, top_k_scorer

from _common import model_params, parse_args, sample_tasks

args = parse_args(__doc__.splitlines()[0])
X, y, _ = sample_tasks(8 if args.tiny else 60)
grid = GridSearchCV(
    TitlePredictor(**model_params(args.tiny)),
    param_grid={"filter_sizes": [(3, 4, 5), (2, 3, 4)], "violation_thresholds": [(0.2, 0.8), (0.1, 0.9)]},
    scoring={"top5": top_k_scorer(k=5), "bleu1": bleu_scorer(k=1)},
    refit="top5",
    cv=StratifiedKFold(n_splits=2 if args.tiny else 3, shuffle=True, random_state=0),
    n_jobs=2,
)
grid.fit(X, y)
results = pd.DataFrame(grid.cv_results_)[["param_filter_sizes", "param_violation_thresholds",
                                          "mean_test_top5", "mean_test_bleu1", "mean_fit_time"]]
print(results.sort_values("mean_test_top5", ascending=False).to_string(index=False))
print("best:", grid.best_params_)
print(grid.best_estimator_.predict_top_k(["Prepare and serve espresso drinks to customers."], k=3))
