def make_optimizer():
    """Adam whose learning rate decays from LEARNING_RATE to 0 along a cosine over the STEPS of training."""
    return keras.optimizers.Adam(keras.optimizers.schedules.CosineDecay(LEARNING_RATE, decay_steps=STEPS))
