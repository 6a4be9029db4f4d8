"""Invited and open samples combined by a stated model (Chen, Li & Wu 2020, JASA 115:2011–2021).

The invited sample A (letters drawn from the register: design weights d_i, its recorded
design) is the *reference probability sample* for the open sample B (self-selected).
Assumption (stated in every footnote): selection into B is ignorable given the covariates
x (the weighting questions' answers, one-hot, "no answer" a level of its own), and B's
participation probability follows a logistic model π(x; θ).

1. **Propensity** θ̂ solves the pseudo-likelihood score of CLW (their eq. 2.3 with the
   logistic link): ``Σ_B x_i − Σ_A d_i π(x_i) x_i = 0`` (Newton steps with
   ``J = Σ_A d_i π_i (1 − π_i) x_i x_i'``).
2. **Doubly robust** estimator of a mean of u (CLW eq. 3.1, both totals estimated):
   ``μ̂ = Σ_B (u_i − m_i)/π_i / N̂_B + Σ_A d_i m_i / N̂_A`` with m(x) a linear working
   model of u fitted on B (ordinary least squares on the same dummies). It is consistent
   if either the propensity or the outcome model is right.
3. **Variance** by linearisation (CLW section 3.2): with
   ``b' = [Σ_B (r_i − μ̂_r)(1−π_i)/π_i x_i]' J⁻¹`` (r = u − m) the estimator is
   ``(1/N)[Σ_B a_i + Σ_A d_i t_i]`` with ``a_i = (r_i − μ̂_r)/π_i − b'x_i`` and
   ``t_i = π_i b'x_i + m_i − μ̂_m``; B's part is estimated as Poisson sampling,
   ``Σ_B (1 − π_i) a_i²``, A's part by the design variance of ``d_i t_i`` (strata and fpc
   as recorded, :func:`analysis.design.linearised_variance`); the samples are independent.
   Shares among a base are ratios of two such means, linearised as usual.
4. **Combined**: the invited sample's own design estimate θ̂_A and the DR estimate θ̂_B are
   averaged with the weight λ that minimises the variance of the composite,
   ``λ = (V_B − C)/(V_A + V_B − 2C)`` clipped to [0, 1], where C is their covariance
   through the shared sample A. When selection depends on the answer itself the
   assumption fails and the composite is biased towards the open sample's answer
   (tests/test_analysis_combined.py shows by how much).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from analysis.design import SamplingDesign, linearised_variance

MAX_NEWTON = 60


@dataclass(frozen=True)
class CombinedEstimate:
    estimate: float
    variance: float
    invited: float
    open_dr: float
    weight_invited: float  # λ

    @property
    def se(self) -> float:
        return float(np.sqrt(self.variance))


def _levels(frame: Mapping[str, np.ndarray], name: str, n: int) -> np.ndarray:
    if name not in frame:
        return np.full(n, -1.0)
    values = np.asarray(frame[name], dtype=float)
    return np.where(np.isnan(values), -1.0, values)


def dummies(a: Mapping[str, np.ndarray], b: Mapping[str, np.ndarray], variables: list[str],
            n_a: int, n_b: int) -> tuple[np.ndarray, np.ndarray]:
    """Intercept and one-hot levels present in both samples (NaN is a level); other levels are the reference."""
    blocks_a, blocks_b = [np.ones((n_a, 1))], [np.ones((n_b, 1))]
    for v in variables:
        va, vb = _levels(a, v, n_a), _levels(b, v, n_b)
        levels = sorted(set(np.unique(va)) & set(np.unique(vb)))[1:]  # first common level: reference
        if levels:
            blocks_a.append((va[:, None] == np.array(levels)[None, :]).astype(float))
            blocks_b.append((vb[:, None] == np.array(levels)[None, :]).astype(float))
    return np.hstack(blocks_a), np.hstack(blocks_b)


def _solve(matrix: np.ndarray, vector: np.ndarray) -> np.ndarray:
    """``matrix⁻¹ vector``; least squares when a level makes the system singular."""
    try:
        return np.linalg.solve(matrix, vector)
    except np.linalg.LinAlgError:
        return np.linalg.lstsq(matrix, vector, rcond=None)[0]


def fit_participation(x_a: np.ndarray, d_a: np.ndarray, x_b: np.ndarray) -> np.ndarray:
    """θ̂ of the logistic participation model by Newton steps on CLW's pseudo-likelihood score."""
    theta = np.zeros(x_a.shape[1])
    theta[0] = np.log(len(x_b) / max(d_a.sum() - len(x_b), 1.0))
    target = x_b.sum(axis=0)
    for _ in range(MAX_NEWTON):
        p = 1 / (1 + np.exp(-(x_a @ theta)))
        score = target - x_a.T @ (d_a * p)
        jacobian = (x_a * (d_a * p * (1 - p))[:, None]).T @ x_a
        step = _solve(jacobian, score)
        theta += step
        if np.max(np.abs(step)) < 1e-10:
            break
    return theta


@dataclass(frozen=True)
class _Parts:
    mean: float
    a: np.ndarray  # per open unit
    t: np.ndarray  # per invited unit (multiplied by d_i in the variance)


def _dr_parts(u_b: np.ndarray, x_a: np.ndarray, d_a: np.ndarray, x_b: np.ndarray, pi_a: np.ndarray,
              pi_b: np.ndarray, jacobian: np.ndarray) -> _Parts:
    beta = _solve(x_b.T @ x_b, x_b.T @ u_b)
    m_a, m_b = x_a @ beta, x_b @ beta
    n_a, n_b = d_a.sum(), np.sum(1 / pi_b)
    mu_r = float(np.sum((u_b - m_b) / pi_b) / n_b)
    mu_m = float(np.dot(d_a, m_a) / n_a)
    centred = u_b - m_b - mu_r
    b = _solve(jacobian, x_b.T @ (centred * (1 - pi_b) / pi_b))
    return _Parts(mu_r + mu_m, centred / pi_b - x_b @ b, pi_a * (x_a @ b) + m_a - mu_m)


def combined_share(z_a: np.ndarray, b_a: np.ndarray, d_a: np.ndarray, design_a: SamplingDesign, x_a: np.ndarray,
                   z_b: np.ndarray, b_b: np.ndarray, x_b: np.ndarray) -> CombinedEstimate:
    """Share Σz/Σb (z = positive within base, b = in base) from both samples (module docstring)."""
    theta = fit_participation(x_a, d_a, x_b)
    pi_a, pi_b = 1 / (1 + np.exp(-(x_a @ theta))), 1 / (1 + np.exp(-(x_b @ theta)))
    jacobian = (x_a * (d_a * pi_a * (1 - pi_a))[:, None]).T @ x_a
    pz = _dr_parts(z_b, x_a, d_a, x_b, pi_a, pi_b, jacobian)
    pb = _dr_parts(b_b, x_a, d_a, x_b, pi_a, pi_b, jacobian)
    open_dr = pz.mean / pb.mean
    a_open = (pz.a - open_dr * pb.a) / pb.mean
    t_open = (pz.t - open_dr * pb.t) / pb.mean
    n_hat = d_a.sum()
    base_a = np.dot(d_a, b_a) / n_hat
    invited = float(np.dot(d_a, z_a) / np.dot(d_a, b_a))
    t_invited = (z_a - invited * b_a) / base_a
    v_a = linearised_variance(d_a * t_invited, design_a) / n_hat ** 2
    v_open_a = linearised_variance(d_a * t_open, design_a) / n_hat ** 2
    v_b = (v_open_a + float(np.sum((1 - pi_b) * a_open ** 2)) / n_hat ** 2)
    cov = (linearised_variance(d_a * (t_invited + t_open), design_a) / n_hat ** 2 - v_a - v_open_a) / 2
    denominator = v_a + v_b - 2 * cov
    lam = float(np.clip((v_b - cov) / denominator, 0, 1)) if denominator > 0 else 1.0
    variance = lam ** 2 * v_a + 2 * lam * (1 - lam) * cov + (1 - lam) ** 2 * v_b
    estimate = lam * invited + (1 - lam) * open_dr
    return CombinedEstimate(float(estimate), float(max(variance, 0.0)), invited, float(open_dr), lam)
