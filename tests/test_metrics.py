"""annplay.engine.metrics: class indices, the confusion matrix and the rates read from it."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from annplay.engine.metrics import accuracy, class_indices, confusion_matrix, network_confusion, precision, recall
from annplay.engine.network import MLP


@st.composite
def labelled(draw: st.DrawFn) -> tuple[int, list[int], list[int]]:
    k = draw(st.integers(1, 6))
    n = draw(st.integers(0, 40))
    cls = st.integers(0, k - 1)
    return k, draw(st.lists(cls, min_size=n, max_size=n)), draw(st.lists(cls, min_size=n, max_size=n))


@given(labelled())
def test_confusion_counts_every_pair_once(case: tuple[int, list[int], list[int]]) -> None:
    k, true, pred = case
    cm = confusion_matrix(true, pred, k)
    assert cm.shape == (k, k) and cm.sum() == len(true)
    for i in range(k):
        for j in range(k):
            assert cm[i, j] == sum(1 for t, p in zip(true, pred, strict=True) if (t, p) == (i, j))
    acc = accuracy(cm)
    if true:
        assert acc == pytest.approx(np.mean(np.array(true) == np.array(pred)))
    else:
        assert acc is None
    for i, r in enumerate(recall(cm)):
        assert r is None if true.count(i) == 0 else r == pytest.approx(cm[i, i] / true.count(i))
    for j, p in enumerate(precision(cm)):
        assert p is None if pred.count(j) == 0 else p == pytest.approx(cm[j, j] / pred.count(j))


def test_class_indices_from_one_hot_and_from_one_row() -> None:
    assert class_indices(np.array([[0, 1, 0], [1, 0, 0], [0, 0, 1]])).tolist() == [1, 0, 2]
    assert class_indices(np.array([[0.0, 1.0, 0.9, 0.2]])).tolist() == [0, 1, 1, 0]
    with pytest.raises(ValueError, match="r×n"):
        class_indices(np.array([1, 0]))


def test_bad_classes_are_refused_with_the_range() -> None:
    with pytest.raises(ValueError, match="0 to 1"):
        confusion_matrix([0, 2], [0, 1], 2)
    with pytest.raises(ValueError, match="differ in length"):
        confusion_matrix([0, 1], [0], 2)


def test_network_confusion_matches_predict() -> None:
    net = MLP([2, 3, 3], ["tanh", "softmax"], seed=1)
    X = np.random.default_rng(0).normal(size=(2, 30))
    Y = np.eye(3)[:, np.arange(30) % 3]
    cm = network_confusion(net, X, Y, 3)
    assert cm.sum() == 30 and cm.sum(axis=1).tolist() == [10, 10, 10]
    assert np.trace(cm) == int((net.predict(X) == np.arange(30) % 3).sum())
