//! Structure for the emitter.
