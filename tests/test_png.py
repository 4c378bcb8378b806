"""The widgets' PNG pictures hold exactly the pixels they were given."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from handwriting.png import encode_png


@pytest.mark.parametrize("shape", [(28, 28), (5, 7, 4)])
def test_png_round_trip_and_scale(shape):
    image = np.random.default_rng(0).integers(0, 256, shape, dtype=np.uint8)
    for scale, level in ((1, 6), (3, 1)):
        decoded = np.asarray(Image.open(io.BytesIO(encode_png(image, scale=scale, level=level))))
        assert np.array_equal(decoded, image.repeat(scale, 0).repeat(scale, 1))


def test_png_refuses_what_it_cannot_encode():
    with pytest.raises(ValueError, match="uint8"):
        encode_png(np.zeros((28, 28), np.float32))
    with pytest.raises(ValueError, match=r"\(H, W, 4\)"):
        encode_png(np.zeros((28, 28, 3), np.uint8))
