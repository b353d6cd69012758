"""Cross-validated Top-k accuracy and BLEU of TitlePredictor against the TF-IDF baseline.

Uses both candidate protocols of `job2vec.metrics`: the fitted titles, and the
fitted titles plus the fold's test titles (the JOAPS paper's protocol).

    python examples/cross_validation.py [--tiny]
"""

import numpy as np
from sklearn.model_selection import StratifiedKFold, cross_validate

from job2vec import TitlePredictor
from job2vec.baselines import TfidfNeighborsTitlePredictor
from job2vec.metrics import bleu_scorer, top_k_scorer

from _common import model_params, parse_args, sample_tasks

args = parse_args(__doc__.splitlines()[0])
X, y, _ = sample_tasks(8 if args.tiny else 60)
scoring = {"top1": top_k_scorer(k=1), "top5": top_k_scorer(k=5), "top5_per_title": top_k_scorer(k=5, average="per_title"),
           "bleu1": bleu_scorer(k=1)}
cv = StratifiedKFold(n_splits=2 if args.tiny else 3, shuffle=True, random_state=0)
for name, model in [("JOAPS", TitlePredictor(**model_params(args.tiny))),
                    ("TF-IDF 50-NN", TfidfNeighborsTitlePredictor())]:
    scores = cross_validate(model, X, y, cv=cv, scoring=scoring)
    print(name, "  ".join(f"{k[5:]}={np.mean(v):.3f}" for k, v in scores.items() if k.startswith("test_")))

joaps = cross_validate(TitlePredictor(**model_params(args.tiny)), X, y, cv=cv,
                       scoring={"top5_fitted+test": top_k_scorer(k=5, candidates="fitted+test")})
print("JOAPS top5 with the fold's test titles among the candidates:", round(float(np.mean(joaps["test_top5_fitted+test"])), 3))
