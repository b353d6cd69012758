"""job2vec estimators inside scikit-learn pipelines.

0. TitleCleaner on the titles (y) before fit: a Pipeline only transforms X.
1. TextPreprocessor -> TitlePredictor: preprocessing as an explicit pipeline step.
2. JoapsEmbedder -> KMeans: clusters of job titles in job2vec.
3. TitlePredictor.transform -> LogisticRegression: predict the SOC major group
   (the first two digits of the O*NET-SOC code, e.g. 29 = healthcare practitioners)
   of a task statement from its job2vec description vector.

    python examples/pipelines.py [--tiny]
"""

import numpy as np
from sklearn.cluster import KMeans
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline

from job2vec import JoapsEmbedder, TextPreprocessor, TitleCleaner, TitlePredictor

from _common import model_params, parse_args, sample_tasks

args = parse_args(__doc__.splitlines()[0])
X, y, codes = sample_tasks(8 if args.tiny else 80)
params = model_params(args.tiny)
X_train, X_test, y_train, y_test, c_train, c_test = train_test_split(X, y, codes, test_size=0.25, random_state=0,
                                                                     stratify=y)

# 0. Clean the titles before fit. O*NET titles are already clean; job-board titles such as
#    "Data Analyst - Remote | WFH" or "Linux Systems Engineer (m/f/d)" are not.
cleaned = TitleCleaner().fit_transform(y_train)
print("0. TitleCleaner changed", int(np.sum(cleaned != y_train)), "of", len(y_train), "O*NET titles;",
      "'Linux Systems Engineer (m/f/d)' ->", repr(TitleCleaner().transform(["Linux Systems Engineer (m/f/d)"])[0]))
y_train = cleaned

# 1. Preprocessing as a step: the estimator accepts the token lists it produces.
pipe = Pipeline([("prep", TextPreprocessor(language="en")), ("titles", TitlePredictor(**params))])
pipe.fit(X_train, y_train)
print("1. TextPreprocessor -> TitlePredictor, top-1 accuracy:", round(pipe.score(X_test, y_test), 3))

# 2. Cluster the job titles in job2vec.
n_clusters = 3 if args.tiny else 12
clusters = Pipeline([("job2vec", JoapsEmbedder(**params)),
                     ("kmeans", KMeans(n_clusters=n_clusters, n_init=4, random_state=0))])
labels = clusters.fit(y_train, X_train).predict(np.unique(y_train))
for cluster in range(min(n_clusters, 4)):
    print(f"2. cluster {cluster}:", sorted(np.unique(y_train)[labels == cluster])[:5])

# 3. Description vectors as features: FrozenEstimator keeps the fitted TitlePredictor as it is.
major_train, major_test = [np.array([code[:2] for code in c]) for c in (c_train, c_test)]
groups = Pipeline([("job2vec", FrozenEstimator(pipe.named_steps["titles"])),
                   ("clf", LogisticRegression(max_iter=1000))]).fit(X_train, major_train)
majority = np.mean(major_test == max(set(major_train), key=list(major_train).count))
print(f"3. SOC major group from job2vec description vectors: accuracy {groups.score(X_test, major_test):.3f} "
      f"({len(set(major_train))} groups; majority-class baseline {majority:.3f})")
