# sim_model: filled in by its issue
