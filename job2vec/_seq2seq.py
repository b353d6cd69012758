"""The Seq2Seq baseline's Keras network (GRU encoder-decoder, Bahdanau attention) and its beam search.

Training uses teacher forcing on one functional graph. For decoding, the
encoder and a one-step decoder are re-derived from the trained graph's named
layers, so only that graph is saved. The attention is Bahdanau's additive
score ``v . tanh(W_q q + W_k k)``; its context vector is combined with the
decoder GRU's output after the step (Luong et al.'s placement), which lets
teacher-forced training run over all steps at once.
"""

import keras
import numpy as np
from keras import layers, ops

from ._ranking import top_k_indices

PAD, EOS, BOS, UNK = 0, 1, 2, 3  # ids of the output vocabulary
SPECIAL_TOKENS = ("<pad>", "<eos>", "<bos>", "<unk>")


def build_seq2seq_network(embeddings, *, n_title_words, description_length, title_length, units,
                          trainable_embeddings):
    """The teacher-forced training graph.

    Parameters
    ----------
    embeddings : ndarray of shape (vocabulary size, e)
        W_in for the description words; row 0 is padding.
    n_title_words : int
        Size of the output vocabulary, special tokens included.
    description_length : int
        Fixed description length.
    title_length : int
        Decoder steps: title words plus the end token.
    units : int
        GRU and attention size.
    trainable_embeddings : bool
        Fine-tune W_in.

    Returns
    -------
    keras.Model
        Inputs ``[description_ids, decoder_ids]`` (the title shifted right
        behind ``<bos>``); output: logits ``(batch, title_length, n_title_words)``.
    """
    vocabulary_size, dim = embeddings.shape
    description_ids = keras.Input((description_length,), dtype="int32", name="description_ids")
    decoder_ids = keras.Input((title_length,), dtype="int32", name="decoder_ids")
    w_in = layers.Embedding(vocabulary_size, dim, trainable=trainable_embeddings, name="w_in")
    encoder = layers.GRU(units, return_sequences=True, return_state=True, name="encoder_gru")
    sequence, state = encoder(w_in(description_ids), mask=ops.not_equal(description_ids, 0))
    keys = layers.Dense(units, use_bias=False, name="attention_keys")(sequence)
    decoded = layers.GRU(units, return_sequences=True, name="decoder_gru")(
        layers.Embedding(n_title_words, units, name="decoder_embedding")(decoder_ids), initial_state=state
    )
    # Made on first use: initializers draw their seeds in construction order.
    head = {
        "attention_queries": lambda: layers.Dense(units, use_bias=False, name="attention_queries"),
        "attention": lambda: layers.AdditiveAttention(use_scale=True, name="attention"),
        "attentional": lambda: layers.Dense(units, activation="tanh", name="attentional"),
        "logits": lambda: layers.Dense(n_title_words, name="logits"),
    }
    logits = _attend_and_predict(lambda name: head[name](), decoded, sequence, keys, description_ids)
    model = keras.Model([description_ids, decoder_ids], logits, name="seq2seq")
    w_in.set_weights([embeddings])
    return model


def _attend_and_predict(layer, decoded, sequence, keys, description_ids):
    """Attention over the encoder states, then the output logits; ``layer(name)`` gives the layers."""
    queries = layer("attention_queries")(decoded)
    context = layer("attention")([queries, sequence, keys], mask=[None, ops.not_equal(description_ids, 0)])
    hidden = layer("attentional")(ops.concatenate([decoded, context], axis=-1))
    return layer("logits")(hidden)


def attention_model(model):
    """The attention weights and log probabilities of teacher-forced titles, from `model`'s layers.

    Returns a function ``(description_ids, decoder_ids) -> (attention, log_probabilities)``:
    `attention` ``(n, title steps, description length)`` is where each output
    step looked (Bahdanau's additive score, softmax over the description's
    words), `log_probabilities` ``(n, title steps, n_title_words)``.
    """
    description_ids = model.get_layer("description_ids").output
    decoded = model.get_layer("decoder_gru").output
    queries = model.get_layer("attention_queries")(decoded)
    keys = model.get_layer("attention_keys").output
    parts = keras.Model(model.inputs, [queries, keys, ops.log_softmax(model.outputs[0], axis=-1)])
    [scale] = model.get_layer("attention").get_weights()

    def attend(ids, decoder_ids):
        queries, keys, log_probabilities = (np.asarray(a) for a in parts.predict([ids, decoder_ids], verbose=0))
        scores = np.sum(scale * np.tanh(queries[:, :, None, :] + keys[:, None, :, :]), axis=-1)
        scores = np.where((ids != 0)[:, None, :], scores, -np.inf)
        scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
        return scores / scores.sum(axis=-1, keepdims=True), log_probabilities

    return attend


def inference_models(model, beams):
    """``(encoder, step)`` models sharing `model`'s layers, the step for `beams` hypotheses.

    ``encoder(description_ids) -> [sequence, keys, state]``;
    ``step([description_ids, sequence, keys, previous_words, states]) -> [log_probabilities, states]``
    decodes one step of ``beams`` hypotheses per description at once: words
    ``(n, beams)``, states ``(n, beams, units)``, log probabilities
    ``(n, beams, n_title_words)``. The beams are the attention's query axis, so
    the encoder states are not repeated per beam.
    """
    description_ids = model.get_layer("description_ids").output
    sequence, state = model.get_layer("encoder_gru").output
    keys = model.get_layer("attention_keys").output
    encoder = keras.Model(description_ids, [sequence, keys, state])

    units = state.shape[-1]
    step_ids = keras.Input(description_ids.shape[1:], dtype="int32")
    step_sequence = keras.Input(sequence.shape[1:])
    step_keys = keras.Input(keys.shape[1:])
    previous = keras.Input((beams,), dtype="int32")
    previous_states = keras.Input((beams, units))
    # The GRU runs one step over all n * beams hypotheses as a batch.
    embedded = ops.reshape(model.get_layer("decoder_embedding")(previous), (-1, 1, units))
    decoded = model.get_layer("decoder_gru")(embedded, initial_state=ops.reshape(previous_states, (-1, units)))
    decoded = ops.reshape(decoded, (-1, beams, units))
    logits = _attend_and_predict(model.get_layer, decoded, step_sequence, step_keys, step_ids)
    step = keras.Model([step_ids, step_sequence, step_keys, previous, previous_states],
                       [ops.log_softmax(logits, axis=-1), decoded])
    return encoder, step


def beam_search(encoder, step, description_ids, *, beam_width, max_length, chunk_size=32):
    """The `beam_width` most probable titles of each description, best first.

    Parameters
    ----------
    encoder, step : keras.Model
        From `inference_models`.
    description_ids : ndarray of shape (n, description_length)
    beam_width : int
    max_length : int
        Decoder steps, the end token included.
    chunk_size : int
        Most descriptions decoded together (bounds memory: the encoder states
        are repeated per beam). Chunks are padded to a power of two, so a
        compiled backend traces a handful of shapes.

    Returns
    -------
    sequences : ndarray of int, shape (n, beam_width, max_length)
        Output word ids, `PAD` after the end token.
    scores : ndarray of shape (n, beam_width)
        Log probabilities of the whole sequences.
    """
    n = len(description_ids)
    chunk_size = min(chunk_size, 1 << (n - 1).bit_length())
    sequences = np.zeros((n, beam_width, max_length), dtype=np.int64)
    scores = np.zeros((n, beam_width))
    for start in range(0, n, chunk_size):
        chunk = description_ids[start : start + chunk_size]
        padded = np.zeros((chunk_size, chunk.shape[1]), dtype=chunk.dtype)
        padded[: len(chunk)] = chunk
        best, best_scores = _beam_search_chunk(encoder, step, padded, beam_width, max_length)
        sequences[start : start + len(chunk)] = best[: len(chunk)]
        scores[start : start + len(chunk)] = best_scores[: len(chunk)]
    return sequences, scores


def _beam_search_chunk(encoder, step, description_ids, beam_width, max_length):
    n = len(description_ids)
    sequence, keys, state = (np.asarray(a) for a in encoder.predict_on_batch(description_ids))
    states = np.repeat(state[:, None, :], beam_width, axis=1)
    words = np.full((n, beam_width), BOS, dtype=np.int32)
    history = np.zeros((n, beam_width, max_length), dtype=np.int64)
    # All beams start identical: only the first may expand at step one.
    scores = np.tile(np.r_[0.0, np.full(beam_width - 1, -np.inf)], (n, 1))
    finished = np.zeros((n, beam_width), dtype=bool)
    for t in range(max_length):
        log_probabilities, states = step.predict_on_batch([description_ids, sequence, keys, words, states])
        log_probabilities = np.asarray(log_probabilities, dtype=np.float64)
        log_probabilities[..., [PAD, BOS, UNK]] = -np.inf  # never generated
        if t == 0:  # a title has at least one word
            log_probabilities[..., EOS] = -np.inf
        elif t == max_length - 1:  # the last step may only end the title
            log_probabilities[..., EOS + 1 :] = -np.inf
        # A finished beam continues with PAD at no cost, so it keeps its score and one slot.
        log_probabilities[finished] = -np.inf
        log_probabilities[finished, PAD] = 0.0
        n_words = log_probabilities.shape[-1]
        candidates = (scores[..., None] + log_probabilities).reshape(n, -1)
        chosen = top_k_indices(candidates, beam_width)
        parent, word = np.divmod(chosen, n_words)
        scores = np.take_along_axis(candidates, chosen, axis=1)
        history = np.take_along_axis(history, parent[..., None], axis=1)
        history[:, :, t] = word
        finished = np.take_along_axis(finished, parent, axis=1) | (word == EOS) | (word == PAD)
        states = np.take_along_axis(np.asarray(states), parent[..., None], axis=1)
        words = word.astype(np.int32)
        if finished.all():  # titles are short: most searches end long before max_length
            break
    history[history == EOS] = PAD
    return history, scores
