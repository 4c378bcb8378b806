"""The inspector's pictures: grids, overlays and bars, checked pixel by pixel."""

from __future__ import annotations

import numpy as np
import pytest

from handwriting.inspection import heatmaps


def test_a_grid_places_every_map_in_reading_order_on_one_scale():
    maps = np.zeros((3, 2, 5), np.float32)  # five 3x2 maps
    maps[:, :, 4] = 2.0  # the strongest map, lit everywhere
    maps[0, 0, 1] = 1.0  # half as strong, one pixel
    grid = heatmaps.feature_map_grid(maps, columns=3)
    assert grid.shape == (2 * 3 + 1, 3 * 2 + 2, 4)  # 2 rows x 3 columns, 1-pixel gaps
    brightest = heatmaps.colorize(np.array(1.0))
    white = heatmaps.BACKGROUND
    np.testing.assert_array_equal(grid[4:7, 3:5], np.broadcast_to(brightest, (3, 2, 4)))  # map 4
    np.testing.assert_array_equal(grid[0, 3], heatmaps.colorize(np.array(0.5)))  # map 1
    np.testing.assert_array_equal(grid[3, :], np.broadcast_to(white, (8, 4)))  # a gap
    np.testing.assert_array_equal(grid[4:, 6:], np.broadcast_to(white, (3, 2, 4)))  # no map 6


def test_signed_maps_and_weights_use_red_for_positive_and_blue_for_negative():
    one_map = np.array([1.0, -1.0], np.float32).reshape(2, 1, 1)  # 2x1 pixels, 1 channel
    (red, _, blue, _), (red2, _, blue2, _) = heatmaps.feature_map_grid(one_map)[:, 0]
    assert red > blue and blue2 > red2
    filters = heatmaps.weight_grid(np.array([[[0.1]], [[-4.0]]], np.float32), cell=4)
    assert filters.shape == (4, 4 + 3 + 4, 4)  # each filter on its own scale: both full
    for pixel, value in ((filters[0, 0], 1.0), (filters[0, -1], -1.0)):
        np.testing.assert_array_equal(
            pixel, heatmaps.colorize(np.array(value), "RdBu_r", signed=True)
        )


def test_saliency_overlay_colours_evidence_for_and_against_and_leaves_the_rest_grey():
    image = np.zeros((28, 28), np.float32)
    image[10:18, 12:16] = 1
    saliency = np.zeros((28, 28), np.float32)
    saliency[10, 12], saliency[17, 15] = 2.0, -2.0
    overlay = heatmaps.saliency_overlay(image, saliency)
    np.testing.assert_array_equal(overlay[10, 12, :3], heatmaps.EVIDENCE_FOR)
    np.testing.assert_array_equal(overlay[17, 15, :3], heatmaps.EVIDENCE_AGAINST)
    assert len(set(overlay[12, 13, :3])) == 1 and overlay[12, 13, 0] > overlay[0, 0, 0]  # grey ink
    with pytest.raises(ValueError, match="28x28"):
        heatmaps.saliency_overlay(image, saliency[:27])


def test_activation_bars_are_as_tall_as_the_values():
    bars = heatmaps.activation_bars(np.array([0.0, 1.0, 0.5, -1.0]), height=10, bar=1)
    filled = (bars[..., :3] != 238).any(axis=2)
    assert filled.sum(axis=0).tolist() == [0, 10, 5, 10]
    assert bars[-1, 3, 0] > bars[-1, 3, 2] and bars[-1, 1, 2] > bars[-1, 1, 0]  # red < 0, blue > 0


def test_values_that_are_not_numbers_are_drawn_as_zero_not_an_error():
    maps = np.zeros((2, 2, 2), np.float32)
    maps[0, 0, 0], maps[1, 1, 1] = np.nan, 1.0  # a diverged model's layer
    grid = heatmaps.feature_map_grid(maps)
    np.testing.assert_array_equal(grid[0, 0], heatmaps.colorize(np.array(0.0)))
    np.testing.assert_array_equal(grid[1, 4], heatmaps.colorize(np.array(1.0)))
    np.testing.assert_array_equal(
        heatmaps.colorize(np.array([np.nan])), heatmaps.colorize(np.array([0.0]))
    )
    bars = heatmaps.activation_bars(np.array([np.nan, 2.0], np.float32), height=4, bar=1)
    assert (bars[:, 0] == (238, 238, 238, 255)).all() and (bars[:, 1] == (47, 126, 216, 255)).all()
    saliency = np.full((28, 28), np.nan, np.float32)
    assert heatmaps.saliency_overlay(np.zeros((28, 28), np.float32), saliency)[..., 3].min() == 255
