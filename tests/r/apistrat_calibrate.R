# Reference values for tests/test_analysis_r_stratified.py (R survey 4.1.1, data(api)).
# Run: Rscript tests/r/apistrat_calibrate.R
# A stratified sample with unequal allocation (100 elementary, 50 high, 50 middle schools from
# 4421 / 755 / 1018) and an fpc, so the design weights differ (44.21, 15.1, 20.36): raked to the
# population margins of sch.wide, comp.imp and meals.high (meals > 50 %) with calibrate(calfun = "raking") — the
# estimator whose linearised variance Machikoe reproduces — and with rake() for comparison.
suppressMessages(library(survey))
data(api)
apistrat$meals.high <- factor(ifelse(apistrat$meals > 50, "Yes", "No"))
apipop$meals.high <- factor(ifelse(apipop$meals > 50, "Yes", "No"))
options(digits = 15)
dstrat <- svydesign(id = ~1, strata = ~stype, weights = ~pw, fpc = ~fpc, data = apistrat)
totals <- c(`(Intercept)` = nrow(apipop),
            sch.wideYes = sum(apipop$sch.wide == "Yes"),
            comp.impYes = sum(apipop$comp.imp == "Yes"),
            meals.highYes = sum(apipop$meals.high == "Yes"))
print(totals)
dcal <- calibrate(dstrat, ~sch.wide + comp.imp + meals.high, totals, calfun = "raking", epsilon = 1e-13, maxit = 500)
show <- function(label, x, i = 1) cat(label, sprintf("%.12f", coef(x)[i]), sprintf("%.12f", SE(x)[i]), "\n")
show("design_mean_api00", svymean(~api00, dstrat))
show("calibrate_mean_api00", svymean(~api00, dcal))
show("calibrate_share_api00_gt_700", svymean(~I(api00 > 700), dcal), 2)
by_type <- svyby(~api00, ~stype, dcal, svymean)
se_type <- as.vector(SE(by_type))
for (k in seq_len(nrow(by_type))) cat("calibrate_domain_mean_api00", rownames(by_type)[k],
                                      sprintf("%.12f", by_type$api00[k]), sprintf("%.12f", se_type[k]), "\n")
by_awards <- svyby(~I(api00 > 700), ~awards, dcal, svymean)
se_awards <- as.matrix(SE(by_awards))
for (k in seq_len(nrow(by_awards))) cat("calibrate_domain_share_api00_gt_700", rownames(by_awards)[k],
                                        sprintf("%.12f", by_awards[k, 3]), sprintf("%.12f", se_awards[k, 2]), "\n")
cat("weights_range", sprintf("%.12f", range(weights(dcal))), "\n")
# rake(): the same weights, but its variance post-stratifies margin by margin, so it differs
pop_sch <- data.frame(sch.wide = c("No", "Yes"), Freq = as.vector(table(apipop$sch.wide)))
pop_comp <- data.frame(comp.imp = c("No", "Yes"), Freq = as.vector(table(apipop$comp.imp)))
pop_meals <- data.frame(meals.high = c("No", "Yes"), Freq = as.vector(table(apipop$meals.high)))
draked <- rake(dstrat, list(~sch.wide, ~comp.imp, ~meals.high), list(pop_sch, pop_comp, pop_meals),
               control = list(maxit = 500, epsilon = 1e-13))
show("rake_mean_api00", svymean(~api00, draked))
show("rake_share_api00_gt_700", svymean(~I(api00 > 700), draked), 2)
