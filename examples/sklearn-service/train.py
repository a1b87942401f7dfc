#!/usr/bin/env python3
"""Trains a scikit-learn pipeline and saves it with joblib, with its metrics and parameters.

    python3 train.py --out models/classifier.joblib

Writes the model, metrics.json and params.yaml beside it, for
`mlv add models/classifier.joblib --metrics-file models/metrics.json --params-file models/params.yaml`.
Needs scikit-learn and joblib (pip install scikit-learn).
"""
import argparse
import json
import os


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="models/classifier.joblib")
    parser.add_argument("--C", type=float, default=1.0, help="inverse regularisation strength")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    import joblib
    from sklearn.datasets import load_iris
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import accuracy_score, f1_score
    from sklearn.model_selection import train_test_split
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    features, labels = load_iris(return_X_y=True)
    train_x, test_x, train_y, test_y = train_test_split(
        features, labels, test_size=0.3, random_state=args.seed, stratify=labels
    )
    model = Pipeline(
        [("scale", StandardScaler()), ("classify", LogisticRegression(C=args.C, max_iter=500))]
    )
    model.fit(train_x, train_y)
    predicted = model.predict(test_x)

    folder = os.path.dirname(args.out) or "."
    os.makedirs(folder, exist_ok=True)
    joblib.dump(model, args.out)
    with open(os.path.join(folder, "metrics.json"), "w") as out:
        json.dump(
            {
                "accuracy": round(accuracy_score(test_y, predicted), 4),
                "f1_macro": round(f1_score(test_y, predicted, average="macro"), 4),
            },
            out,
            indent=2,
        )
    with open(os.path.join(folder, "params.yaml"), "w") as out:
        out.write(f"C: {args.C}\nseed: {args.seed}\nmodel: LogisticRegression\nscaler: standard\n")
    print(f"saved {args.out}")


if __name__ == "__main__":
    main()
