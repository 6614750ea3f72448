"""Seeds–needs matching: pure-Python ranking (no Django imports).

How a need becomes a ranked list of researchers, module by module:

* ``records``   — the researcher and record documents the index is built from;
* ``text``      — normalisation (NFKC, 旧字体, case) and tokenisation (Sudachi for Japanese, a light
                  stemmer for English);
* ``bm25``      — lexical retrieval with incremental updates;
* ``embedders`` — multilingual sentence embeddings (USE multilingual v3 by default, a local
                  sentence-transformers model by configuration);
* ``vectors``   — nearest-neighbour search (exact when small, HNSW when large);
* ``fusion``    — the calibrated combination of lexical and dense evidence;
* ``search``    — ``MatchIndex``: build, upsert/remove, save/load, search with reasons;
* ``facets``    — facets of a need, team (consortium) selection, capability gap;
* ``evaluate``, ``bench`` — the quality and speed measurements quoted in the README.
"""
