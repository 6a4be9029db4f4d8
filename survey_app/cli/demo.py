"""``machikoe demo``: synthetic responses for demos and benchmarks."""
from __future__ import annotations

import click

from survey_app.population import margins_for

from .context import AppContext, pass_app


def register(main: click.Group) -> None:
    main.add_command(demo)


@click.command()
@click.option("--survey", "survey_id", default="ebetsu-2025", show_default=True)
@click.option("--responses", "n", type=click.IntRange(1, 5_000_000), default=1000, show_default=True)
@click.option("--seed", type=int, default=2025, show_default=True)
@pass_app
def demo(app: AppContext, survey_id: str, n: int, seed: int) -> None:
    """Create N synthetic complete responses (older residents answer more often)."""
    from survey_app.demo import create_demo_responses  # numpy: only this command needs it

    with app.session() as session:
        instrument = app.instrument(session, survey_id)
        margins = margins_for(session, survey_id)
        needed = {"age_band", "sex", "district"}
        if not needed <= {m.dimension for m in margins}:
            raise click.ClickException(
                f"survey '{survey_id}' needs population margins for {', '.join(sorted(needed))} "
                "(machikoe population import)")
        stored = create_demo_responses(session, instrument, margins, n, seed)
    click.echo(f"{stored} synthetic responses stored in '{survey_id}' (seed {seed})")
