-- Why a layer opted out of a product, and where residents can go instead (PRODUCT.md,
-- "Opting out with an explanation"): shown at the product's address on that site. An
-- override's translation keeps the reason in its language in translations.body, which
-- overrides had no use for.
ALTER TABLE overrides ADD COLUMN reason TEXT;
ALTER TABLE overrides ADD COLUMN refer_to TEXT;
