"""Loops forever while being imported."""
import numpy as np

while True:
    pass


def sigmoid(z):
    return 1 / (1 + np.exp(-z))
