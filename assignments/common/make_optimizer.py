def make_optimizer(learning_rate=None, steps=None):
    """Adam whose learning rate decays from learning_rate (default LEARNING_RATE) to 0 along a cosine over steps (default STEPS)."""
    learning_rate = LEARNING_RATE if learning_rate is None else learning_rate
    steps = STEPS if steps is None else steps
    return keras.optimizers.Adam(keras.optimizers.schedules.CosineDecay(learning_rate, decay_steps=steps))
