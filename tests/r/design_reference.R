# Reference values for tests/test_analysis_design.py (R 4.x, survey 4.1.1).
# Run from the repository root:  Rscript tests/r/design_reference.R
# Respondents of a stratified sample by district with unequal allocation
# (tests/data/design_district.csv; N_h and letters in tests/data/design_district_strata.csv).
# The design weight of a respondent in stratum h is N_h / r_h (r_h respondents), fpc N_h.
suppressMessages(library(survey))
options(digits = 15)
resp <- read.csv("tests/data/design_district.csv")
strata <- read.csv("tests/data/design_district_strata.csv")
resp$N_h <- strata$population[match(resp$district, strata$district)]
resp$r_h <- ave(rep(1, nrow(resp)), resp$district, FUN = sum)
resp$w <- resp$N_h / resp$r_h

report <- function(des, label) {
  for (q in c("kurashiyasui", "kosodate", "hatarakiyasui")) {
    des2 <- update(des, pos = as.numeric(get(q) %in% c(1, 2)), base = get(q) != 9)
    sub <- subset(des2, base)
    m <- svymean(~pos, sub)
    ci <- svyciprop(~pos, sub, method = "logit")
    cat(sprintf("%s %s estimate=%.12f se=%.12f ci_low=%.12f ci_high=%.12f\n", label, q,
                coef(m), SE(m), attr(ci, "ci")[1], attr(ci, "ci")[2]))
  }
}

d <- svydesign(ids = ~1, strata = ~district, fpc = ~N_h, weights = ~w, data = resp)
report(d, "design")

# Lonely PSU: district 2 reduced to its first respondent, survey.lonely.psu = "adjust".
options(survey.lonely.psu = "adjust")
lonely <- resp[resp$district != 2 | !duplicated(resp$district), ]
lonely$r_h <- ave(rep(1, nrow(lonely)), lonely$district, FUN = sum)
lonely$w <- lonely$N_h / lonely$r_h
dl <- svydesign(ids = ~1, strata = ~district, fpc = ~N_h, weights = ~w, data = lonely)
report(dl, "lonely")
