# R `survey` side of bench/bench_indicators.py (run by that script; by hand:
#   Rscript bench/bench_indicators.R survey.csv results.csv)
# Ten decent-work indicators by sex x age group (ilo_age_aggregate, persons 15+) with Taylor-linearised
# standard errors: svydesign(ids=~psu, strata=~strata, weights=~ilo_wgt, nest=TRUE) + svyby(..., svyratio).
# Definitions: docs/indicators.md sections 1-2 (numerator y over denominator x; rates x 100).
# Writes one row per indicator x group: indicator, ilo_sex, ilo_age_aggregate, estimate, se, seconds
# (seconds = time of that indicator's svyby call, repeated on every row of the indicator).
suppressPackageStartupMessages({library(survey); library(data.table)})
args <- commandArgs(trailingOnly = TRUE)
stopifnot(length(args) == 2)
options(survey.lonely.psu = "fail")

t_read <- system.time(d <- fread(args[1], showProgress = FALSE))[["elapsed"]]
z <- function(v) fcoalesce(as.numeric(v), 0)
lfs <- z(d$ilo_lfs)
e <- lfs == 1; u <- lfs == 2; lf <- e | u; wap <- lfs > 0
plf <- lfs == 3 & z(d$ilo_olf_dlma) %in% c(1, 2)
tru <- e & z(d$ilo_joball_tru) == 1
ste <- z(d$ilo_job1_ste_icse93)
ees <- e & ste == 1
d[, `:=`(
  y_lf = as.numeric(lf), x_wap = as.numeric(wap), y_e = as.numeric(e), y_u = as.numeric(u), x_lf = as.numeric(lf),
  y_tru = as.numeric(tru), x_e = as.numeric(e), y_lu2 = as.numeric(tru | u), y_lu3 = as.numeric(u | plf),
  x_elf = as.numeric(lf | plf), y_lu4 = as.numeric(tru | u | plf),
  y_inf = as.numeric(e & z(d$ilo_job1_ife_nature) == 1), y_vul = as.numeric(e & ste %in% c(3, 5)),
  y_earn = ifelse(ees, z(d$ilo_job1_lri_ees), 0), x_ees = as.numeric(ees))]

spec <- list(
  labour_force_participation_rate = c("y_lf", "x_wap", 100),
  employment_to_population_ratio = c("y_e", "x_wap", 100),
  unemployment_rate = c("y_u", "x_lf", 100),
  time_related_underemployment_rate = c("y_tru", "x_e", 100),
  lu2_rate = c("y_lu2", "x_lf", 100),
  lu3_rate = c("y_lu3", "x_elf", 100),
  lu4_rate = c("y_lu4", "x_elf", 100),
  informal_employment_rate = c("y_inf", "x_e", 100),
  vulnerable_employment_rate = c("y_vul", "x_e", 100),
  mean_monthly_earnings_employees = c("y_earn", "x_ees", 1))

t_design <- system.time({
  des <- svydesign(ids = ~psu, strata = ~strata, weights = ~ilo_wgt, data = d, nest = TRUE)
  des15 <- subset(des, ilo_age >= 15)   # domain: keeps every PSU of the design
})[["elapsed"]]

out <- list()
for (name in names(spec)) {
  s <- spec[[name]]
  t <- system.time(
    r <- svyby(as.formula(paste0("~", s[1])), ~ilo_sex + ilo_age_aggregate, des15,
               svyratio, denominator = as.formula(paste0("~", s[2])))
  )[["elapsed"]]
  k <- as.numeric(s[3])
  out[[name]] <- data.frame(indicator = name, ilo_sex = r$ilo_sex, ilo_age_aggregate = r$ilo_age_aggregate,
                            estimate = k * as.numeric(coef(r)), se = k * as.numeric(SE(r)), seconds = t)
  message(sprintf("R %-36s %6.2f s", name, t))
}
res <- do.call(rbind, out)
fwrite(res, args[2])
message(sprintf("R read %.2f s, design %.2f s, %d records", t_read, t_design, nrow(d)))
