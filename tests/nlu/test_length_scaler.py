"""The sentence-length scaler: long messages' counts shrink, short ones and others stay."""

from __future__ import annotations

import numpy as np
import scipy.sparse
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, FEATURE_TYPE_SEQUENCE, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu_components.length_scaler import SentenceLengthScaler


def _message(words: list[str]) -> Message:
    message = Message(data={TEXT: " ".join(words)})
    message.set(TOKENS_NAMES[TEXT], [Token(w, i) for i, w in enumerate(words)])
    counts = scipy.sparse.coo_matrix(np.array([[4.0, 0.0, 2.0]]))
    for origin in ("word_counts", "regex"):
        message.add_features(Features(counts, FEATURE_TYPE_SENTENCE, TEXT, origin))
    sequence = scipy.sparse.coo_matrix(np.ones((len(words), 3)))
    message.add_features(Features(sequence, FEATURE_TYPE_SEQUENCE, TEXT, "word_counts"))
    return message


def _dense(message: Message, kind: str, origin: str) -> np.ndarray:
    (feature,) = [f for f in message.features if f.type == kind and f.origin == origin]
    return np.asarray(feature.features.todense())


def test_long_message_counts_are_divided_by_the_root_of_its_length() -> None:
    message = _message(["slovo"] * 16)
    SentenceLengthScaler(["word_counts"]).process([message])
    assert np.allclose(_dense(message, FEATURE_TYPE_SENTENCE, "word_counts"), [[1.0, 0.0, 0.5]])
    # Other featurizers' features and the per-token features are left alone.
    assert np.allclose(_dense(message, FEATURE_TYPE_SENTENCE, "regex"), [[4.0, 0.0, 2.0]])
    assert np.allclose(_dense(message, FEATURE_TYPE_SEQUENCE, "word_counts"), 1.0)


def test_one_word_message_and_training_data_are_scaled_the_same_way() -> None:
    single, long = _message(["HUD"]), _message(["a"] * 4)
    SentenceLengthScaler(["word_counts"]).process_training_data(TrainingData([single, long]))
    assert np.allclose(_dense(single, FEATURE_TYPE_SENTENCE, "word_counts"), [[4.0, 0.0, 2.0]])
    assert np.allclose(_dense(long, FEATURE_TYPE_SENTENCE, "word_counts"), [[2.0, 0.0, 1.0]])
