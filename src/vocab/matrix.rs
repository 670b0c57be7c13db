//! `TransitionMatrix`: a row-stochastic K×K matrix T[i][j] = P(observed j | true i), validated once.
