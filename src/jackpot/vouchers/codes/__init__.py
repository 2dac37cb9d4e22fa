"""Store codes (SPEC §6.4): generated ones, pools and their stock, pool imports, the merchant
side. Import the submodule you need: `generated`, `pool`, `importing`, `merchant`."""
