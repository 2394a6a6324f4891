"""Pure text analysis for the decision engine: tokens, lexicons, learned scorers, similarity.

Nothing here does I/O: learned weights arrive as :class:`core.nlp.models.TextModels`,
loaded by the configuration layer (``config.models``) and passed into the engine.
"""
