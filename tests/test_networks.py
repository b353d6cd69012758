"""The JOAPS graphs: descriptions through word projections equal the convolution network."""

import keras
import numpy as np
import pytest

from job2vec._networks import (PREDICT_BATCH, UNKNOWN_WORD_NORM, DescriptionEncoder, DistinctShapes, UnitVector,
                               _bucket, build_joaps_network, distinct_title_inputs, distinct_title_pieces,
                               distinct_words, pairs_graph, run_encoder, split_encoders, title_graph,
                               title_word_vectors, with_distinct_words)
from job2vec.losses import WOCRLoss


def small_network(rng, vocabulary_size=300, filter_sizes=(3, 4, 5), subword_buckets=0, title_word_mean=False):
    embeddings = rng.normal(size=(vocabulary_size, 12)).astype("float32")
    embeddings[0] = 0.0
    return build_joaps_network(embeddings, title_length=4, description_length=30, filter_sizes=filter_sizes,
                               n_filters=6, embedding_size=8, trainable_embeddings=True,
                               subword_buckets=subword_buckets, title_word_mean=title_word_mean)


def description_ids(rng, n_rows, vocabulary_size=300):
    ids = rng.integers(1, vocabulary_size, (n_rows, 30)).astype("int32")
    ids[: n_rows // 2, 20:] = 0  # padded descriptions, whose all-padding windows tie
    return ids


@pytest.mark.parametrize("filter_sizes", [(3, 4, 5), (2,)])
def test_description_encoder_equals_the_convolution_network(filter_sizes):
    rng = np.random.default_rng(0)
    network = small_network(rng, filter_sizes=filter_sizes)
    ids = description_ids(rng, 70)
    expected = np.asarray(split_encoders(network)[0].predict(ids, verbose=0))
    encoder = DescriptionEncoder(network, batch_size=32, projected=True)
    np.testing.assert_allclose(encoder(ids), expected, atol=1e-5)
    np.testing.assert_allclose(encoder(ids[:1]), expected[:1], atol=1e-5)
    assert encoder(ids[:0]).shape == (0, expected.shape[1])


def test_run_encoder_in_padded_batches_equals_the_encoder_called_directly():
    # Titles with subword pieces (two input arrays) and descriptions (one), row counts around the batch size.
    rng = np.random.default_rng(3)
    network = small_network(rng, subword_buckets=64, title_word_mean=True)
    description_encoder, title_encoder = split_encoders(network)
    n_rows = PREDICT_BATCH + 37
    pieces_shape = tuple(title_encoder.inputs[1].shape[1:])
    titles = [rng.integers(0, 300, (n_rows, 4)).astype("int32"),
              rng.integers(0, 65, (n_rows, *pieces_shape)).astype("int32")]
    titles[0][:5] = 0  # titles without a known word
    ids = description_ids(rng, n_rows)
    for encoder, inputs in ((title_encoder, titles), (description_encoder, [ids])):
        expected = keras.ops.convert_to_numpy(encoder(inputs if len(inputs) > 1 else inputs[0], training=False))
        for size in (1, 3, PREDICT_BATCH, n_rows):
            vectors = run_encoder(encoder, [a[:size] for a in inputs])
            assert vectors.shape == (size, expected.shape[1])
            np.testing.assert_allclose(vectors, expected[:size], atol=1e-6)
        assert run_encoder(encoder, inputs[0][:0] if len(inputs) == 1 else [a[:0] for a in inputs]).shape == (
            0, expected.shape[1])


@pytest.mark.parametrize("projected", [False, True])
def test_one_training_step_through_the_pairs_graph_moves_the_weights_as_the_network_does(projected):
    # The pairs graph takes title pieces as distinct words' pieces, and with projections descriptions as
    # distinct words: one step of it must be one step of the network itself.
    rng = np.random.default_rng(1)
    ids, titles = description_ids(rng, 16), rng.integers(1, 300, (16, 4)).astype("int32")
    titles[:3, 2:] = 0  # short titles: padding positions, which hold no pieces
    targets = np.arange(16, dtype="float32")
    after = []
    for graph in ("network", "pairs"):
        keras.utils.set_random_seed(0)
        network = small_network(np.random.default_rng(2), subword_buckets=50)
        pieces = np.random.default_rng(3).integers(0, 51, (16, 4, network.inputs[2].shape[2])).astype("int32")
        pieces[titles == 0] = 0
        pieces[5:8] = pieces[4]  # titles that share words
        if graph == "pairs":
            trainer = pairs_graph(network, projected=projected)
            inputs = [*(distinct_words(ids, 300) if projected else [ids]), titles, *distinct_title_pieces(pieces)]
            assert [i.name for i in trainer.inputs][-2:] == ["title_positions", "title_word_pieces"]
        else:
            trainer, inputs = keras.Model(network.inputs, network.outputs), [ids, titles, pieces]
        trainer.compile(optimizer=keras.optimizers.SGD(1.0), loss=WOCRLoss(0.5))
        loss = float(trainer.train_on_batch(inputs, targets))
        after.append((loss, network.get_weights()))
    (loss_network, network_weights), (loss_pairs, pairs_weights) = after
    assert loss_network > 0 and loss_pairs == pytest.approx(loss_network, rel=1e-5)
    assert len(network_weights) == len(pairs_weights)
    for a, b in zip(network_weights, pairs_weights):
        np.testing.assert_allclose(b, a, atol=1e-5)


def test_title_graph_on_distinct_pieces_equals_the_title_encoder():
    rng = np.random.default_rng(4)
    network = small_network(rng, subword_buckets=64, title_word_mean=True)
    titles = [rng.integers(0, 300, (40, 4)).astype("int32"),
              rng.integers(0, 65, (40, 4, network.inputs[2].shape[2])).astype("int32")]
    titles[0][:5], titles[1][5:10] = 0, 0  # titles without a known word, titles without pieces
    titles[1][:, 3] = 0
    expected = run_encoder(split_encoders(network)[1], titles)
    vectors = keras.ops.convert_to_numpy(title_graph(network)(distinct_title_inputs(network)(titles)))
    np.testing.assert_allclose(vectors, expected, atol=1e-6)
    plain = small_network(rng)  # without pieces: the title ids alone
    assert distinct_title_inputs(plain)(titles[:1])[0] is titles[0]
    np.testing.assert_allclose(keras.ops.convert_to_numpy(title_graph(plain)(titles[0])),
                               run_encoder(split_encoders(plain)[1], titles[0]), atol=1e-6)


def test_distinct_title_pieces_are_positions_into_padded_rows():
    rng = np.random.default_rng(0)
    pieces = rng.integers(0, 40, (8, 5, 6)).astype("int32")
    pieces[:, 3:] = 0  # padding positions
    pieces[4:] = pieces[:4]  # repeated words
    positions, word_pieces = distinct_title_pieces(pieces)
    assert positions.shape == (8, 5) and (word_pieces[positions] == pieces).all()
    n_distinct = len(np.unique(pieces.reshape(-1, 6), axis=0))
    assert len(word_pieces) == _bucket(n_distinct) and not word_pieces[n_distinct:].any()
    assert len(distinct_title_pieces(pieces, at_least=200)[1]) == 200


def test_pairs_graph_trains_exactly_the_network_weights():
    network = small_network(np.random.default_rng(0), subword_buckets=50)
    names = sorted(v.path for v in pairs_graph(network, projected=True).trainable_variables)
    assert names == sorted(v.path for v in network.trainable_variables)


def test_the_title_vector_adds_the_mapped_mean_of_its_words_padding_left_out():
    network = small_network(np.random.default_rng(0), title_word_mean=True)
    titles = np.array([[5, 7, 0, 0], [7, 5, 9, 0], [5, 7, 9, 11]], dtype="int32")
    title_encoder = split_encoders(network)[1]
    gru_only = keras.Model(network.inputs[1], network.get_layer("title_gru").output)
    w_in = network.get_layer("w_in").get_weights()[0]
    mapping = network.get_layer("title_word_mean").get_weights()[0]
    vectors, grus = title_encoder.predict(titles, verbose=0), gru_only.predict(titles, verbose=0)
    for title, vector, gru in zip(titles, vectors, grus):
        expected = gru + w_in[title[title > 0]].mean(axis=0) @ mapping
        np.testing.assert_allclose(vector, expected / np.linalg.norm(expected), atol=1e-5)


def test_a_word_unknown_to_w_in_is_as_long_as_a_typical_known_word(tmp_path):
    network = small_network(np.random.default_rng(0), subword_buckets=50)
    w_in, pieces_layer = network.get_layer("w_in"), network.get_layer("title_pieces_embedding")
    unknown_norm, inputs = network.get_layer(UNKNOWN_WORD_NORM), network.inputs[1:]
    words = keras.Model(inputs, title_word_vectors(w_in, pieces_layer, inputs, unknown_norm)[0])
    ids = np.array([[5, 0, 0, 9]], dtype="int32")  # a known word, an unknown one, padding, a known one
    pieces = np.zeros((1, 4, inputs[1].shape[2]), dtype="int32")
    pieces[0, 0, :3], pieces[0, 1, :4], pieces[0, 3, :2] = [1, 2, 3], [4, 5, 6, 7], [8, 9]
    vectors = words.predict([ids, pieces], verbose=0)[0]
    table, pieces_table = w_in.get_weights()[0], pieces_layer.get_weights()[0]
    typical = np.median(np.linalg.norm(table[1:], axis=1))
    assert unknown_norm.name == UNKNOWN_WORD_NORM and unknown_norm.norm == pytest.approx(typical)
    unknown = pieces_table[[4, 5, 6, 7]].mean(axis=0)
    np.testing.assert_allclose(vectors[1], table[0] + unknown * typical / np.linalg.norm(unknown), rtol=1e-5)
    np.testing.assert_allclose(vectors[0], table[5] + pieces_table[[1, 2, 3]].mean(axis=0), rtol=1e-5)  # as it was
    np.testing.assert_allclose(vectors[2], table[0], atol=1e-7)  # padding: no pieces added
    network.save(tmp_path / "network.keras")
    restored = keras.saving.load_model(tmp_path / "network.keras")
    assert restored.get_layer(UNKNOWN_WORD_NORM).norm == unknown_norm.norm


def test_unit_vectors_are_keras_unit_normalization_and_zero_stays_zero():
    rows = np.random.default_rng(0).normal(size=(5, 8)).astype("float32")
    rows[2] = 0.0
    ours = keras.ops.convert_to_numpy(UnitVector()(rows))
    np.testing.assert_allclose(ours, keras.ops.convert_to_numpy(keras.layers.UnitNormalization()(rows)), rtol=1e-6)
    assert (ours[2] == 0).all()


def test_distinct_words_are_positions_into_padded_buckets():
    rng = np.random.default_rng(0)
    ids = rng.integers(0, 5000, (8, 50)).astype("int32")
    positions, words = distinct_words(ids, 5000)
    assert (words[positions] == ids).all()
    assert len(words) == _bucket(len(np.unique(ids))) >= len(np.unique(ids))
    small_vocabulary = rng.integers(0, 100, (8, 50)).astype("int32")  # its bucket holds the whole vocabulary
    positions, words = distinct_words(small_vocabulary, 100)
    assert (positions == small_vocabulary).all() and (words == np.arange(100)).all()


def test_bucket_ladder_has_few_steps_and_little_padding():
    counts = np.arange(1, 20000)
    sizes = np.array([_bucket(n) for n in counts])
    assert (np.diff(sizes) >= 0).all() and (sizes >= counts).all() and (sizes % 64 == 0).all()
    assert len(set(sizes)) <= 34  # 2**(1/4) steps from 64 to 20,000
    assert (sizes[511:] / counts[511:]).max() < 1.3


def test_word_shapes_never_shrink_for_a_batch_size():
    shapes = DistinctShapes(lambda ids, at_least: distinct_words(ids, 100000, at_least))
    rng = np.random.default_rng(0)
    large = shapes(rng.integers(0, 100000, (4, 300)))[1]
    small = shapes(rng.integers(0, 50, (4, 300)))[1]
    other = shapes(rng.integers(0, 50, (2, 300)))[1]
    assert len(small) == len(large) > len(other)


def test_batches_are_sized_on_random_batches_before_the_first_step():
    # Each new batch size first sizes its buckets on `SIZING_BATCHES` random batches: later batches of that
    # size (here, smaller ones) keep the shapes, and each batch's distinct words still rebuild its inputs.
    network = small_network(np.random.default_rng(0), subword_buckets=50)
    rng = np.random.default_rng(1)
    ids = description_ids(rng, 200)
    titles = rng.integers(0, 300, (200, 4)).astype("int32")
    pieces = rng.integers(1, 51, (200, 4, network.inputs[2].shape[2])).astype("int32")
    pieces[:150, 1:] = pieces[0, 1:]  # most titles share their last words: small batches of them
    part = (ids, titles, pieces, np.arange(200, dtype="float32"))
    make_batch = with_distinct_words(lambda part, indices: ([a[indices] for a in part[:-1]], part[-1][indices]),
                                     network)
    shapes = set()
    for indices in (np.arange(32), np.arange(32, 64), np.arange(150, 182), np.arange(182, 200)):
        inputs, targets = make_batch(part, indices)
        np.testing.assert_array_equal(targets, indices)
        assert (inputs[0] == ids[indices]).all() and (inputs[1] == titles[indices]).all()
        assert (inputs[3][inputs[2]] == pieces[indices]).all()
        shapes.add((len(indices), inputs[3].shape))
    assert len(shapes) == 2  # one per batch size, the first batches (sharing words) sized for the others


def test_small_networks_keep_the_convolution_and_paper_sizes_project():
    from job2vec._networks import uses_projections

    assert not uses_projections(small_network(np.random.default_rng(0)))
    embeddings = np.zeros((50, 300), dtype="float32")
    paper = build_joaps_network(embeddings, title_length=4, description_length=30)
    assert uses_projections(paper)
    assert [i.name for i in pairs_graph(paper).inputs][:2] == ["description_positions", "description_words"]
