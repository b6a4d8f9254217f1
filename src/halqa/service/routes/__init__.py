"""One router per part of the product; ``halqa.service.app`` includes them."""
