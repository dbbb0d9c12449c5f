# %% [markdown] lang="fr"
# # TP robot : lire les chiffres sur les cubes
# %% [markdown] lang="en"
# # Robot lab: reading the digits on the cubes
# %%
import numpy as np
