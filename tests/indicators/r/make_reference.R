# Reference numbers from R `survey` for evidencekit.indicators (see README.md in this folder).
#
#   Rscript tests/indicators/r/make_reference.R <shared_data_dir> <synthetic_csv> <out_dir> [part] [psa_csv]
#
# part: "all" (default), "api", "synthetic", "psa" or "intervals". Writes api.csv, synthetic.csv,
# synthetic_universe.csv, synthetic_quantiles.csv, synthetic_logit.csv, synthetic_gap.csv, student_t.csv and, when
# psa_csv is given, psa.csv, with 17 significant digits. Every design is svydesign(ids=, strata=, weights=, nest=TRUE[, fpc=]).
suppressPackageStartupMessages(library(survey))
args <- commandArgs(trailingOnly = TRUE)
shared <- if (length(args) >= 1) args[1] else "../shared/data"
syn_csv <- if (length(args) >= 2) args[2] else NA
out <- if (length(args) >= 3) args[3] else "tests/indicators/r/reference"
part <- if (length(args) >= 4) args[4] else "all"
psa_csv <- if (length(args) >= 5) args[5] else NA
dir.create(out, showWarnings = FALSE, recursive = TRUE)
g17 <- function(x) { x <- as.numeric(x); ifelse(is.na(x), "NA", sprintf("%.17g", x)) }
# svyciprop's logit runs svyglm(y ~ 1, family = quasibinomial) with glm's default convergence (deviance change
# 1e-8), so its output is exact to about 1e-9 only; `tight` repeats its very steps (svyglm, then confint with
# method = "Wald" and ddf = degf(design), then expit) with epsilon = 1e-14: those are the 1e-9 references, and
# the raw svyciprop output is kept beside them (tests compare it at 1e-7).
expit <- function(eta) exp(eta) / (1 + exp(eta))   # survey:::expit
tight <- function(design, level) {
  m <- svyglm(I(y == 1) ~ 1, design, family = quasibinomial, control = glm.control(epsilon = 1e-14, maxit = 100))
  c(expit(coef(m))[[1]], as.numeric(expit(confint(m, 1, level = level, method = "Wald", ddf = degf(design)))))
}

rows <- list()
add <- function(design, statistic, variable, denominator, by, group, est, se, lonely = "fail", extra = list()) {
  r <- data.frame(design = design, lonely = lonely, statistic = statistic, variable = variable,
                  denominator = denominator, by = by, group = as.character(group),
                  estimate = g17(est), se = g17(se), stringsAsFactors = FALSE)
  rows[[length(rows) + 1]] <<- r
}
api_stats <- function(name, des, lonely = "fail", by = "stype") {
  options(survey.lonely.psu = lonely)
  m <- svymean(~api00, des); add(name, "mean", "api00", "", "", "", coef(m), SE(m), lonely)
  t <- svytotal(~enroll, des, na.rm = TRUE); add(name, "total", "enroll", "", "", "", coef(t), SE(t), lonely)
  r <- svyratio(~api.stu, ~enroll, des, na.rm = TRUE)
  add(name, "ratio", "api.stu", "enroll", "", "", coef(r), SE(r), lonely)
  ci <- confint(r); add(name, "ratio_ci_normal", "api.stu", "enroll", "", "", ci[1], ci[2], lonely)
  ci <- confint(r, df = degf(des)); add(name, "ratio_ci_t", "api.stu", "enroll", "", "", ci[1], ci[2], lonely)
  add(name, "degf", "", "", "", "", degf(des), NA, lonely)
  f <- as.formula(paste0("~", by))
  bm <- svyby(~api00, f, des, svymean)
  add(name, "mean", "api00", "", by, bm[[by]], coef(bm), SE(bm), lonely)
  br <- svyby(~api.stu, f, des, denominator = ~enroll, svyratio, na.rm = TRUE)
  add(name, "ratio", "api.stu", "enroll", by, br[[by]], coef(br), SE(br), lonely)
  bt <- svyby(~enroll, f, des, svytotal, na.rm = TRUE)
  add(name, "total", "enroll", "", by, bt[[by]], coef(bt), SE(bt), lonely)
  options(survey.lonely.psu = "fail")
}

if (part %in% c("all", "intervals")) {
  # Student t quantiles and probabilities (evidencekit computes them without scipy): qt / pt over the degrees of
  # freedom of designs (1 ... 1e6) and the levels a user picks
  ps <- c(0.6, 0.8, 0.9, 0.95, 0.975, 0.99, 0.995, 0.9995)
  dfs <- c(1, 2, 3, 4, 5, 7, 10, 12.5, 29, 30, 100, 276, 707, 1000, 9999, 50000, 1e5, 3e5, 1e6)
  g <- expand.grid(p = ps, df = dfs)
  q <- qt(g$p, g$df)
  write.csv(data.frame(p = g17(g$p), df = g17(g$df), qt = g17(q), pt_of_qt = g17(pt(q, g$df)),
                       upper = g17(pt(q, g$df, lower.tail = FALSE))),
            file.path(out, "student_t.csv"), row.names = FALSE)
}

if (part %in% c("all", "api")) {
  api <- file.path(shared, "microdata", "r_survey_api")
  apistrat <- read.csv(file.path(api, "apistrat.csv"), check.names = FALSE)
  apiclus1 <- read.csv(file.path(api, "apiclus1.csv"), check.names = FALSE)
  apiclus2 <- read.csv(file.path(api, "apiclus2.csv"), check.names = FALSE)
  names(apistrat) <- make.names(names(apistrat)); names(apiclus1) <- make.names(names(apiclus1))
  names(apiclus2) <- make.names(names(apiclus2))
  api_stats("dstrat_fpc", svydesign(id = ~1, strata = ~stype, weights = ~pw, data = apistrat, fpc = ~fpc), by = "awards")
  api_stats("dstrat", svydesign(id = ~1, strata = ~stype, weights = ~pw, data = apistrat), by = "awards")
  api_stats("dclus1_fpc", svydesign(id = ~dnum, weights = ~pw, data = apiclus1, fpc = ~fpc))
  api_stats("dclus1", svydesign(id = ~dnum, weights = ~pw, data = apiclus1))
  api_stats("dclus2", svydesign(id = ~dnum, weights = ~pw, data = apiclus2))
  # strata = county, PSU = district within county: several counties hold a single district (lonely PSUs)
  lonely_des <- svydesign(id = ~dnum, strata = ~cname, weights = ~pw, data = apistrat, nest = TRUE)
  for (rule in c("remove", "certainty", "adjust", "average")) api_stats("dcounty", lonely_des, rule)
  q <- svyquantile(~api00, svydesign(id = ~dnum, weights = ~pw, data = apiclus1), c(0.25, 0.5, 0.75))
  qq <- q$api00
  for (i in seq_len(nrow(qq))) add("dclus1", "quantile", "api00", "", "p", rownames(qq)[i], qq[i, 1], qq[i, 4])
  write.csv(do.call(rbind, rows), file.path(out, "api.csv"), row.names = FALSE)
}

# The catalogue written from docs/indicators.md §1-§2: y (numerator) and x (denominator) per record.
# Universe: a labour force status counts only within the working-age population, ilo_wap == 1, as ILO's
# tabulation programs count (ilo_lfs==2 & ilo_wap==1; NEET over POP_XWAP aged 15-24), so a status filled
# outside ilo_wap (a national 10+ survey, overseas workers) is ignored.
z <- function(v) ifelse(is.na(v), 0, v)              # ILO 1/missing codes: missing is "not"
catalogue_of <- function(d) {
  wap <- z(d$ilo_wap) == 1
  lfs <- ifelse(wap, z(d$ilo_lfs), 0); e <- lfs == 1; u <- lfs == 2; lf <- e | u
  plf <- lfs == 3 & z(d$ilo_olf_dlma) %in% c(1, 2)
  tru <- e & z(d$ilo_joball_tru) == 1
  youth <- wap & z(d$ilo_age_aggregate) == 2
  ste <- z(d$ilo_job1_ste_icse93)
  ees <- e & z(d$ilo_job1_ste_aggregate) == 1
  hours <- d$ilo_job1_how_usual
  hourly <- ifelse(!is.na(hours) & hours > 0, d$ilo_job1_lri_ees / (hours * 52 / 12), NA)
  ind <- list(
    labour_force_participation_rate = list(lf, wap),
    employment_to_population_ratio = list(e, wap),
    unemployment_rate = list(u, lf),
    youth_unemployment_rate = list(u & youth, lf & youth),
    time_related_underemployment_rate = list(tru, e),
    lu2_rate = list(tru | u, lf),
    lu3_rate = list(u | plf, lf | plf),
    lu4_rate = list(tru | u | plf, lf | plf),
    youth_neet_rate = list(youth & lfs %in% c(2, 3) & z(d$ilo_edu_attendance) == 2, youth),
    informal_employment_rate = list(e & z(d$ilo_job1_ife_nature) == 1, e),
    vulnerable_employment_rate = list(e & ste %in% c(3, 5), e),
    share_employees = list(e & ste == 1, e),
    share_employers = list(e & ste == 2, e),
    share_own_account_workers = list(e & ste == 3, e),
    share_members_producers_cooperatives = list(e & ste == 4, e),
    share_contributing_family_workers = list(e & ste == 5, e),
    long_term_unemployment_rate = list(u & z(d$ilo_dur_aggregate) == 3, lf)
  )
  earn_ok <- ees & !is.na(d$ilo_job1_lri_ees)
  hour_ok <- ees & !is.na(hourly)
  ind$mean_monthly_earnings_employees <- list(ifelse(earn_ok, d$ilo_job1_lri_ees, 0), earn_ok)
  ind$mean_hourly_earnings_employees <- list(ifelse(hour_ok, hourly, 0), hour_ok)
  list(ind = ind, hourly = hourly, hour_ok = hour_ok)
}

if (part %in% c("all", "synthetic")) {
  d <- read.csv(syn_csv)
  cat_d <- catalogue_of(d)
  ind <- cat_d$ind; hourly <- cat_d$hourly; hour_ok <- cat_d$hour_ok
  scale <- function(nm) if (grepl("earnings", nm)) 1 else 100
  des <- svydesign(ids = ~psu, strata = ~strata, weights = ~ilo_wgt, nest = TRUE, data = d)
  srows <- list()
  sadd <- function(indicator, by, group, est, se, n = NA) {
    srows[[length(srows) + 1]] <<- data.frame(indicator = indicator, by = by, group = as.character(group),
                                              estimate = g17(est), se = g17(se), n_obs = n)
  }
  for (nm in names(ind)) {
    des$variables$y <- as.numeric(ind[[nm]][[1]]); des$variables$x <- as.numeric(ind[[nm]][[2]])
    r <- svyratio(~y, ~x, des)
    sadd(nm, "", "", scale(nm) * coef(r), scale(nm) * SE(r), sum(des$variables$x != 0))
    b <- svyby(~y, ~ilo_sex, des, denominator = ~x, svyratio)
    nb <- tapply(des$variables$x != 0, des$variables$ilo_sex, sum)
    sadd(nm, "ilo_sex", b$ilo_sex, scale(nm) * coef(b), scale(nm) * SE(b), nb[as.character(b$ilo_sex)])
  }
  # two by-variables at once: sex x area
  for (nm in c("unemployment_rate", "lu4_rate", "youth_neet_rate", "mean_hourly_earnings_employees")) {
    des$variables$y <- as.numeric(ind[[nm]][[1]]); des$variables$x <- as.numeric(ind[[nm]][[2]])
    b <- svyby(~y, ~ilo_sex + ilo_geo, des, denominator = ~x, svyratio)
    nb <- tapply(des$variables$x != 0, list(des$variables$ilo_sex, des$variables$ilo_geo), sum)
    sadd(nm, "ilo_sex+ilo_geo", paste(b$ilo_sex, b$ilo_geo, sep = "|"), scale(nm) * coef(b), scale(nm) * SE(b),
         nb[cbind(as.character(b$ilo_sex), as.character(b$ilo_geo))])
  }
  # gender pay gap (mean): delta method on four totals, svycontrast
  hx <- ifelse(hour_ok, hourly, 0); men <- z(d$ilo_sex) == 1; women <- z(d$ilo_sex) == 2
  des$variables$ym <- hx * men; des$variables$xm <- as.numeric(hour_ok & men)
  des$variables$yf <- hx * women; des$variables$xf <- as.numeric(hour_ok & women)
  gap <- quote(100 * (ym / xm - yf / xf) / (ym / xm))
  g <- svycontrast(svytotal(~ym + xm + yf + xf, des), gap)
  sadd("gender_pay_gap", "", "", coef(g), SE(g), sum(hour_ok))
  for (geo in sort(unique(d$ilo_geo))) {
    tot <- svyby(~ym + xm + yf + xf, ~ilo_geo, des, svytotal, covmat = TRUE)
    k <- which(tot$ilo_geo == geo)
    cf <- coef(tot); V <- vcov(tot); nm4 <- c("ym", "xm", "yf", "xf")
    idx <- match(paste0(geo, ":", nm4), names(cf))
    tg <- svycontrast(structure(cf[idx], var = V[idx, idx], names = nm4, class = "svystat"), gap)
    sadd("gender_pay_gap", "ilo_geo", geo, coef(tg), SE(tg), sum(hour_ok & d$ilo_geo == geo))
  }
  write.csv(do.call(rbind, srows), file.path(out, "synthetic.csv"), row.names = FALSE)
  # logit intervals of rates: svyciprop(~I(y == 1), subset(design, x == 1), method = "logit"), total and by a
  # domain with svyby(..., svyciprop, vartype = "ci"); its df is degf() of the domain's design (R's default);
  # `tight` (above) gives the same to 1e-9
  lrows <- list()
  for (nm in c("unemployment_rate", "youth_unemployment_rate", "lu3_rate", "share_members_producers_cooperatives")) {
    des$variables$y <- as.numeric(ind[[nm]][[1]]); des$variables$x <- as.numeric(ind[[nm]][[2]])
    dsub <- subset(des, x == 1)
    for (level in c(0.95, 0.9)) {
      ci <- svyciprop(~I(y == 1), dsub, method = "logit", level = level)
      tt <- tight(dsub, level)
      lrows[[length(lrows) + 1]] <- data.frame(indicator = nm, by = "", group = "", level = level,
        estimate = g17(100 * tt[1]), ci_low = g17(100 * tt[2]), ci_high = g17(100 * tt[3]), df = degf(dsub),
        svyciprop_low = g17(100 * attr(ci, "ci")[1]), svyciprop_high = g17(100 * attr(ci, "ci")[2]))
      for (by in if (level == 0.95) c("ilo_sex", "region") else "ilo_sex") {
        b <- svyby(~I(y == 1), as.formula(paste0("~", by)), dsub, svyciprop, method = "logit", vartype = "ci",
                   level = level)
        doms <- lapply(b[[by]], function(g) dsub[dsub$variables[[by]] == g, ])
        tt <- t(sapply(doms, tight, level = level))
        lrows[[length(lrows) + 1]] <- data.frame(indicator = nm, by = by, group = as.character(b[[by]]), level = level,
          estimate = g17(100 * tt[, 1]), ci_low = g17(100 * tt[, 2]), ci_high = g17(100 * tt[, 3]),
          df = sapply(doms, degf), svyciprop_low = g17(100 * b$ci_l), svyciprop_high = g17(100 * b$ci_u))
      }
    }
  }
  write.csv(do.call(rbind, lrows), file.path(out, "synthetic_logit.csv"), row.names = FALSE)
  # gaps a - b between two domains: svyby(~y, ~by, design, denominator = ~x, svyratio, covmat = TRUE), then
  # svycontrast on the two groups' estimates with their covariance (the other groups left out)
  grows <- list()
  contrast <- function(nm, by, a, b, adults = FALSE) {
    des$variables$y <- as.numeric(ind[[nm]][[1]]); des$variables$x <- as.numeric(ind[[nm]][[2]])
    # children (ilo_age_aggregate 1) have no denominator: their ratio is NaN and would spoil svyby's covariance,
    # so that contrast is taken on the persons 15+ (a subset keeps every PSU of the design)
    d_by <- if (adults) subset(des, ilo_age_aggregate >= 2) else des
    r <- svyby(~y, as.formula(paste0("~", by)), d_by, denominator = ~x, svyratio, covmat = TRUE)
    cf <- coef(r); V <- vcov(r); idx <- match(c(a, b), names(cf))
    two <- structure(cf[idx], var = V[idx, idx], names = c("a", "b"), class = "svystat")
    g <- svycontrast(two, c(a = 1, b = -1))
    grows[[length(grows) + 1]] <<- data.frame(indicator = nm, by = by, a = a, b = b,
      estimate = g17(scale(nm) * coef(g)), se = g17(scale(nm) * SE(g)))
  }
  contrast("unemployment_rate", "ilo_sex", "2", "1")
  contrast("labour_force_participation_rate", "ilo_sex", "2", "1")
  contrast("mean_monthly_earnings_employees", "ilo_sex", "1", "2")
  contrast("mean_hourly_earnings_employees", "ilo_geo", "1", "2")
  contrast("unemployment_rate", "ilo_age_aggregate", "2", "3", adults = TRUE)
  contrast("youth_neet_rate", "ilo_geo", "2", "1")
  contrast("informal_employment_rate", "region", "3", "1")
  # the same contrast straight from svyby's covariance and a contrast vector over all groups (a check of the above)
  des$variables$y <- as.numeric(ind$unemployment_rate[[1]]); des$variables$x <- as.numeric(ind$unemployment_rate[[2]])
  whole <- svycontrast(svyby(~y, ~ilo_sex, des, denominator = ~x, svyratio, covmat = TRUE), c(-1, 1))
  stopifnot(abs(100 * coef(whole) - as.numeric(grows[[1]]$estimate)) < 1e-9,
            abs(100 * SE(whole) - as.numeric(grows[[1]]$se)) < 1e-9)
  write.csv(do.call(rbind, grows), file.path(out, "synthetic_gap.csv"), row.names = FALSE)
  # the universe: the same sample with ilo_wap blanked for every 7th person (ilo_key %% 7 == 0) while their
  # ilo_lfs and job variables stay filled; every indicator must leave those persons out
  d7 <- d; d7$ilo_wap[d7$ilo_key %% 7 == 0] <- NA
  ind7 <- catalogue_of(d7)$ind
  des7 <- svydesign(ids = ~psu, strata = ~strata, weights = ~ilo_wgt, nest = TRUE, data = d7)
  urows <- list()
  for (nm in names(ind7)) {
    des7$variables$y <- as.numeric(ind7[[nm]][[1]]); des7$variables$x <- as.numeric(ind7[[nm]][[2]])
    r <- svyratio(~y, ~x, des7)
    urows[[length(urows) + 1]] <- data.frame(indicator = nm, estimate = g17(scale(nm) * coef(r)),
                                             se = g17(scale(nm) * SE(r)), n_obs = sum(des7$variables$x != 0))
  }
  write.csv(do.call(rbind, urows), file.path(out, "synthetic_universe.csv"), row.names = FALSE)
  # medians of hourly earnings of employees by sex: svyquantile defaults (qrule "math", Woodruff "mean")
  des$variables$hourly <- hourly; des$variables$hour_ok <- hour_ok
  qrows <- list()
  for (s in c(1, 2)) {
    q <- svyquantile(~hourly, subset(des, hour_ok & ilo_sex == s), 0.5)$hourly
    qrows[[s]] <- data.frame(ilo_sex = s, p = 0.5, quantile = g17(q[1, 1]), ci_low = g17(q[1, 2]),
                             ci_high = g17(q[1, 3]), se = g17(q[1, 4]))
  }
  write.csv(do.call(rbind, qrows), file.path(out, "synthetic_quantiles.csv"), row.names = FALSE)
}

if (part %in% c("all", "psa") && !is.na(psa_csv)) {
  # PSA LFS PUF Nov 2022: strata = region, PSU numbers repeat across regions (nest = TRUE matters here)
  p <- read.csv(psa_csv)
  wap <- z(p$ilo_wap) == 1
  lfs <- ifelse(wap, z(p$ilo_lfs), 0); e <- lfs == 1; lf <- lfs %in% c(1, 2)
  ind <- list(labour_force_participation_rate = list(lf, wap), unemployment_rate = list(lfs == 2, lf),
              time_related_underemployment_rate = list(e & z(p$ilo_joball_tru) == 1, e))
  des <- svydesign(ids = ~PUFPSU, strata = ~PUFREG, weights = ~ilo_wgt, nest = TRUE, data = p)
  prow <- list()
  for (nm in names(ind)) {
    des$variables$y <- as.numeric(ind[[nm]][[1]]); des$variables$x <- as.numeric(ind[[nm]][[2]])
    r <- svyratio(~y, ~x, des)
    prow[[length(prow) + 1]] <- data.frame(indicator = nm, by = "", group = "", estimate = g17(100 * coef(r)),
                                           se = g17(100 * SE(r)))
    b <- svyby(~y, ~ilo_sex, des, denominator = ~x, svyratio)
    prow[[length(prow) + 1]] <- data.frame(indicator = nm, by = "ilo_sex", group = as.character(b$ilo_sex),
                                           estimate = g17(100 * coef(b)), se = g17(100 * SE(b)))
  }
  prow[[length(prow) + 1]] <- data.frame(indicator = "degf", by = "", group = "", estimate = g17(degf(des)),
                                         se = "NA")
  # the gap women - men in the unemployment rate, and its logit intervals (national concepts, same design)
  des$variables$y <- as.numeric(lfs == 2); des$variables$x <- as.numeric(lf)
  b <- svyby(~y, ~ilo_sex, des, denominator = ~x, svyratio, covmat = TRUE)
  g <- svycontrast(b, c(-1, 1))
  prow[[length(prow) + 1]] <- data.frame(indicator = "unemployment_rate_gap", by = "ilo_sex", group = "2-1",
                                         estimate = g17(100 * coef(g)), se = g17(100 * SE(g)))
  dsub <- subset(des, x == 1)
  for (sx in c(1, 2)) {
    tt <- tight(dsub[dsub$variables$ilo_sex == sx, ], 0.95)
    prow[[length(prow) + 1]] <- data.frame(indicator = c("unemployment_rate_logit_low", "unemployment_rate_logit_high"),
                                           by = "ilo_sex", group = as.character(sx), estimate = g17(100 * tt[2:3]),
                                           se = "NA")
  }
  write.csv(do.call(rbind, prow), file.path(out, "psa.csv"), row.names = FALSE)
}
