//! Runnable examples of silent-tower.
