# the project's current model recipe (word uni/bigrams + char 3-5-grams, LR C=2 balanced, top-50k weights) on the train-part
import numpy as np
from common import *
from sklearn.linear_model import LogisticRegression

from scripts.train_models import Vectorizer, features

tx, M, y = read("train")
dtx, dM, dy = read("dev")
tr, ho = split_idx(len(tx))
F = features(tx)
DF = features(dtx)
vec = Vectorizer([F[i] for i in tr], 2)
X = vec.matrix(F)
DXm = vec.matrix(DF)
m = LogisticRegression(C=2.0, max_iter=3000, class_weight="balanced").fit(X[tr], y[tr])
coef = m.coef_.ravel().copy()
coef[np.argsort(-np.abs(coef))[50000:]] = 0
lh = X[ho] @ coef + m.intercept_[0]
ld = DXm @ coef + m.intercept_[0]
thr, hf = best_thr(y[ho], 1 / (1 + np.exp(-lh)))
pd_ = 1 / (1 + np.exp(-ld))
print(
    f"LR holdout F1 {hf:.4f} thr {thr:.3f} dev F1 {f1_at(dy, pd_, thr):.4f} dev-oracle {best_thr(dy, pd_)[1]:.4f}"
)
np.save("out/lr_ho_logit.npy", lh)
np.save("out/lr_dev_logit.npy", ld)
