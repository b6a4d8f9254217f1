import pickle

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from halqa.audience.evaluation import precision_at, recall_at, roc_auc
from halqa.audience.features import CharNgramSpace, FeatureSpace, metadata_tokens


def test_char_ngrams_work_in_every_script():
    texts = [
        "ⴰⵎⵓⵔ ⵏ ⵓⵙⵓⵙ",
        "ⴰⵎⵓⵔ ⴰⵎⴰⵣⵉⵖ",
        "مسلسل رمضان الكوميدي",
        "مُسَلْسَلُ رَمَضَان",
        "lmousalsal dial ramdan",
        "ramdan comedy",
    ]
    space = CharNgramSpace().fit(texts)
    sims = (space.transform(texts) @ space.transform(texts).T).toarray()
    assert sims[0, 1] > sims[0, 2] and sims[0, 1] > sims[0, 4]  # Tifinagh with Tifinagh
    assert sims[2, 3] > 0.5  # harakat do not hide the match
    assert sims[4, 5] > sims[4, 0]  # Arabizi with Latin
    assert " ⴰⵎⵓ" in space.model.vocabulary_  # no transliteration, words padded with a space


def test_a_space_answers_its_fitted_titles_as_its_model_does_and_unseen_ones_after_pickling():
    texts = ["ⴰⵎⵓⵔ ⵏ ⵓⵙⵓⵙ", "مسلسل رمضان", "ramdan comedy"]
    space = CharNgramSpace().fit(texts)
    remembered = space.transform(texts[::-1]).toarray()
    assert np.allclose(remembered, space.model.transform(texts[::-1]).toarray())
    loaded = pickle.loads(pickle.dumps(space))
    assert loaded._model is None  # scikit-learn is not unpickled for titles it already knows
    assert np.allclose(loaded.transform(texts[::-1]).toarray(), remembered)
    unseen = loaded.transform(["رمضان كوميدي"])  # not fitted on: the model is unpickled for it
    assert unseen.nnz > 0 and np.allclose(
        unseen.toarray(), space.transform(["رمضان كوميدي"]).toarray()
    )


def test_feature_space_drops_unknown_tokens_and_normalises():
    known = [
        metadata_tokens(genres=["comedy"], year=1997),
        metadata_tokens(genres=["drama"], languages=["ary-Latn"]),
    ]
    space = FeatureSpace().fit(known)
    m = space.transform([metadata_tokens(genres=["comedy", "western"], year=1997)])
    assert m.nnz == 4 and np.isclose(m.multiply(m).sum(), 1.0)
    assert "lang:ary" in space.vocabulary  # ary-Latn counts a little as ary


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(-5, 5, allow_nan=False), min_size=4, max_size=40), st.data())
def test_roc_auc_matches_pair_counting(scores, data):
    scores = np.array(scores)
    n_pos = data.draw(st.integers(1, len(scores) - 1))
    positives = np.array(data.draw(st.permutations(range(len(scores))))[:n_pos])
    neg = np.setdiff1d(np.arange(len(scores)), positives)
    pairs = [
        (1.0 if scores[p] > scores[q] else 0.5 if scores[p] == scores[q] else 0.0)
        for p in positives
        for q in neg
    ]
    assert np.isclose(roc_auc(scores, positives), np.mean(pairs))


def test_recall_and_precision_at_k():
    scores = np.arange(10, dtype=float)  # member 9 ranks first
    positives = np.array([9, 8, 0])
    assert recall_at(scores, positives, 2) == 2 / 3
    assert precision_at(scores, positives, 5) == 2 / 5
