"""No wrong verdict: the cases of issue 10 with their mutants, and planted faults in the proof path that
the independent re-check must catch (a checker that accepts an inconsistent proof fails here)."""
import ast
from pathlib import Path

import pytest
import sympy as sp

import nnderive
from nnderive.catalogue import load_file
from nnderive.judge import judge_claim

DATA = Path(__file__).parent / "data" / "soundness.toml"
CLAIMS, _ = load_file(DATA)
BY_ID = {c.id: c for c in CLAIMS}

#: the verdict each case must get (issue 10: these were wrong before)
EXPECTED = {
    "d1": "refuted", "d2": "proved",                                 # d/dx applies to the power
    "p1": "proved", "p2": "proved", "p3": "proved",                  # square-matrix powers and inverses
    "p1.mutant": "refuted", "p3.mutant": "refuted",
    "g1": "proved", "g1.mutant": "refuted", "g2": "proved", "g2m": "refuted", "sym1": "proved",   # givens used
    "unused_given": "error",                                         # ... or named as not usable
    "l1": "convention", "l2": "convention", "l3": "proved",         # layouts judged both ways
    "a1": "proved", "a1.mutant": "refuted",                         # a(z) for a defined in terms of z
    "t1": "proved", "t2": "refuted",                                 # a theorem's quantities have definitions
    "n1": "refuted", "n2": "refuted", "n3": "refuted", "n4": "proved", "n5": "refuted",   # printed decimals
    "s1": "proved", "s1.mutant": "refuted",
    "vacuous": "error",                                              # never a silent 0 = 0
    "prod_readings_disagree": "undecided", "prod_readings_agree": "proved",   # d2l's prod: every product
    "prod_no_product": "refuted",                                    # of the shape needed is a reading
    "definition_two_readings": "error",                              # a definition read two ways: named
    "lost_index.undeclared_row": "error", "lost_index.expression": "error",   # an index a name would lose
    "lost_index.declared": "refuted", "otimes_unstated": "undecided",   # Kronecker or Hadamard: stated
    # reviewer 2: an index in a label, the spectral norm, f^{-1}, a derivative of what nothing ties to the
    # variable, a declared domain the definition does not give: no verdict on any of them
    "r2.superscript_index": "error", "r2.ng_gradient_without_sum": "error", "r2.declared_layer_matrix": "error",
    "r2.matrix_2norm": "undecided", "r2.spectral_identity": "undecided", "r2.frobenius_stated": "proved",
    "r2.inverse_function": "undecided", "r2.logit": "undecided", "r2.vacuous_expression": "error",
    "r2.vacuous_time": "error", "r2.connected_expression": "proved", "r2.domain_of_defined": "error",
    "r2.domain_of_defined_follows": "proved",
    "r2.derivative_scope": "undecided", "r2.derivative_scope.narrow": "undecided",   # d/dx's reach over a sum
    "r2.derivative_scope.bracketed": "proved",
    "r2.function_beside_bare": "error", "r2.function_beside_bare.chain": "error",   # f(...) beside a bare f
    "r2.derivative_scope.repeated": "proved", "r2.vacuous.co_inputs": "proved",   # stated by the claim
    "r2.dot_undeclared": "error",                    # \dot{x}: d/dt or a name, declared either way
    # review r3
    "r3.kink.at_point": "undecided", "r3.kink.tie_given": "undecided",   # no derivative at a kink
    "r3.kink.abs_at_zero": "undecided", "r3.kink.off_the_kink": "proved", "r3.kink.off_the_kink.mutant": "refuted",
    "r3.constant_point.sigmoid": "error", "r3.constant_point.defined": "error",   # 0, or the value at the point
    "r3.text.word_inside": "undecided", "r3.text.at_condition": "proved", "r3.text.at_condition.mutant": "refuted",
    "r3.text.whenever": "proved",
    "r3.comma_condition": "undecided",               # x >= 0 after a comma: a condition or a claim
    "r3.family.renamed_index": "proved", "r3.family.pairwise": "proved", "r3.family.pairwise.mutant": "refuted",
    "r3.family.declared_differently": "error",
    "r3.sum_reach.single": "undecided", "r3.limit_reach": "undecided",
    "r3.leibniz_at_point": "error",                  # f'(1) or df/dx times (1)
    "r3.zero_gradient": "proved", "r3.zero_gradient.mutant": "refuted",   # 0 is the zero vector
    "r3.value_after_derivative": "proved", "r3.value_after_derivative.mutant": "refuted",
    "r3.value_suffix_derivative": "proved",
    "r3.parameter_domain": "refuted", "r3.point_outside_domain": "error",
    "r3.cases_overlap": "error", "r3.cases_overlap_agree": "proved",   # two values at x = 0 / the same one
    "r3.limit_outside_domain": "error", "r3.limit_inside_domain": "proved",
    "r3.symbolic_counterexample": "undecided",
    "r3.default.other_library": "convention", "r3.default.no_library": "refuted",
    # g2: a given matrix equation where the claim inverts a matrix expression
    "g2.linear_given.wrong_product": "refuted", "g2.linear_given.dropped_factor": "refuted",   # shapes
    "g2.linear_given.extra_term": "refuted", "g2.linear_given.scaled": "refuted",   # exact points on the given
    "g2.linear_given.solved_for_b": "proved",
    # g9: an inverse read in index notation only through A A^{-1} = A^{-1} A = I, in its orientation
    "g9.inverse.transpose_not_cancelled": "refuted", "g9.inverse.symmetric_transpose_cancelled": "proved",
    "g9.inverse.wrong_side_given": "refuted",
    "g9.generic.both_arguments_vary": "undecided",   # not proved: f(w, w) differs from f(z, w) in w
    "sum_reach": "undecided",                                        # how far a sum reaches: not guessed
    "list_without_layout": "proved", "list_denominator_layout": "proved",   # [a, b]: its entries, against the vector beside it
    "loss_matrix.first_column": "refuted", "loss_matrix.every_entry": "proved",   # a loss of a matrix
    "loss_matrix.bce": "proved", "loss_matrix.bce_first_column": "refuted",       # is over every entry
    "update_role.sq": "proved", "update_role.sq.mutant": "refuted", "update_role.half": "proved",
    "update_role.nabla": "proved", "update_role.nabla.mutant": "refuted", "condition_on_defined": "error",
    "jacobian_shorthand": "convention", "jacobian_shorthand.mutant": "refuted",
    "matrix_update.dW": "proved", "matrix_update.matrix": "proved", "matrix_update.matrix.mutant": "refuted",
    "matrix_update.matrix.product": "proved",
    "hspace_separates": "proved", "hspace_separates.mutant": "refuted", "arrow_after_definition": "proved",
    "arrow_after_statement": "undecided",                            # an implication is not judged yet
    "superscript_word": "error",
    "given_bound": "proved", "given_bound.mutant": "refuted", "given_bound.unusable": "error",   # bounds use givens
    "complex_constant": "undecided", "complex_approx": "undecided",   # not a real value: said so, no verdict
    "bound_undefined_function": "undecided", "bound_constant": "proved", "bound_constant.mutant": "refuted",
    "transpose_undeclared": "error", "transpose_declared_scalar": "proved", "transpose_declared": "proved",
    "law_invalid_parameters": "undecided", "law_invalid_given": "error",   # a law's parameters must be valid
    "law_two_literals": "undecided",                                        # the same variable, or two?
    "probability_without_variable": "undecided", "probability_equality_event": "undecided",
    "inline_draw.beside_given": "undecided", "inline_draw.unordered_bounds": "undecided",
    "inline_draw.outside_moment": "undecided",
    # cases that leave out points are undefined there: never identically equal to anything
    "cases_gap.region": "undecided", "cases_gap.derivative": "undecided", "cases_gap.point": "undecided",
    "cases_gap.covered": "proved", "cases_gap.covered_by_assumption": "proved",
    "chain_given_entry": "refuted",       # a chain is proved only if every link is; the given's entry put back
    "sum_except.other_range": "error", "sum_except.undeclared": "error",   # the excluded value must be
    "sum_except.number_outside": "error",                                   # surely in the sum's range
    "declared_entry_in_sum": "error",                # a declared a_j does not vary with the sum's j
    "family_and_one_vector": "error", "family_from_zero": "error",   # a family of vectors: one reading of
    "family_two_sizes": "error",                                       # the spelling, one range from 1
    "case_in_words_no_given": "undecided", "case_in_words_plain_no_given": "undecided",   # words: a given
    "case_in_words_equation_given": "undecided",                                         # inequality
    "sign_leaves_a_kink": "undecided",               # a sign used whole or not at all; one that selects
    "sign_selects_nothing": "refuted",               # nothing in an identity restricts the inputs: z = c = 1/2
    "sign_for_every_index": "refuted",               # its counterexample satisfies the sign for every i
    "grid_incomplete": "error", "grid_entry_outside": "error",   # entries given: a size only from a whole grid
    "diag_ellipsis_two_indices": "undecided",        # diag(\ldots a \ldots): one running index
    "mid.conditional_probability": "undecided", "mid.null_event": "undecided",   # \mid only in a moment
    "mid.outside_moment": "undecided",                                            # over an event P(A) > 0
    "nabla.bare_tuple": "proved", "nabla.undefined_function": "undecided",    # nabla f(x, y): a column
    "nabla.row_in_mixed_layout": "convention", "hessian.declared_H": "refuted",  # of a defined function
    "bold.number_inside": "error",                   # \mathbf{x + 1}: the bold 1 is not guessed
    "eta_applied_without_role": "error",             # \eta(...) settled only by a role or a declaration
    "logic.two_roots": "error", "logic.not_two_claims": "proved",     # a premise must fix its input; an
    "logic.not_equivalent": "refuted", "logic.in_given": "error",     # equivalence is not two identities
    "tuple.lengths": "error", "list.bare": "refuted",                  # one length; entries against x
    # f(y) = \sum_i y_i^2 applied to the given x = (1, 2, 3): the parameter takes x's length (it was an error
    # before functions of a vector were read at their argument's length)
    "sum_range.other_vector": "proved", "sum_range.tuple_for_scalar": "error",  # a sum's range is never guessed
    "sum_range.index_past_length": "error", "sum_range.index_past_length.numbers": "error",   # nor past a length
    "nabla.order_kept": "refuted", "order.both_sides": "undecided",   # \nabla^2 is no \nabla; O = O is no claim
    "sign.negative_part": "error", "sign.matrix_plus": "undecided",    # x^- has two conventions; A^+ two readings
    "sign.bare_then_factor": "error", "sign.point_outside_limit": "error",   # e^-x, 0^+: not guessed
    "at.after_sum": "error", "at.defined_symbol": "error",   # a bar's scope after a sum; a point a definition gives
    "at.through_definition": "refuted",              # y = z^2 at z = 1 is 1: the definition is substituted first
    "words.role_declares": "proved", "words.undeclared_run": "error",  # a role key declares a name
    "einstein.unstated": "undecided", "einstein.thrice": "undecided",   # summed only where stated
    "logic.new_after": "undecided",
    "trajectory.velocity_times_lr": "proved", "trajectory.velocity_times_lr.mutant": "refuted",   # iterates:
    "trajectory.started_elsewhere": "refuted", "trajectory.dampened": "convention",              # every t only
    "trajectory.given_not_a_start": "undecided", "trajectory.adam_other_variables": "undecided",  # when linear
    "trajectory.with_a_setting": "error",              # a setting without a default in the reference
    "cross.anticommutes": "proved", "cross.anticommutes.mutant": "refuted",   # \times of 3-vectors: the
    "cross.orthogonal": "proved", "cross.length_n": "undecided",            # cross product, else not read
    "star.matrices": "undecided", "star.vectors": "undecided",   # * of two arrays: element-wise or a product?
    "star.scalars": "proved", "star.scalars.mutant": "refuted", "star.scalar_vector": "proved",
    "lg.base2": "convention", "lg.base10": "proved", "lg.neither": "refuted",   # \lg: base 10 or base 2
    "scalar_matrix.square": "undecided", "scalar_matrix.identity": "undecided",   # A - 1: broadcast or 1 I?
    "scalar_matrix.ones": "undecided",
    "scalar_vector.broadcast": "proved", "scalar_vector.broadcast.mutant": "refuted",   # x - mu: broadcast
    # a root or log SymPy cancels outside its real domain: no proof on a complex intermediate
    "real_domain.sqrt_square_abs": "undecided", "real_domain.sqrt_square": "undecided",
    "real_domain.sqrt_product": "undecided", "real_domain.exp_log_abs": "undecided",
    "real_domain.sqrt_square_nonnegative": "proved", "real_domain.sqrt_square_nonnegative.mutant": "refuted",
    "real_domain.exp_log": "proved", "real_domain.exp_log.mutant": "refuted",
    "text.sqrt_power": "error", "text.sqrt_bracketed_power": "proved",   # √x²: √(x²) or (√x)²?
    "digits.thin_space": "proved", "digits.thin_space.mutant": "refuted",   # 1\,000 is one number
    "digits.thin_space_not_groups": "error", "digits.e_notation": "error",   # 1e-3: 10^{-3} or e - 3?
    "exp_of_matrix": "undecided", "limit_does_not_exist": "undecided", "entry_past_end": "error",
    "strict_bound.attained": "refuted", "strict_bound.not_strict": "proved",
    "text.cube_root": "proved", "text.cube_root.mutant": "refuted",   # ∛ is no square root
    "update_time.previous_gradient": "proved",         # the only gradient, at t-1: Sutskever's v_{t+1} = mu v_t + g_t
    "update_time.later_quantity": "error",             # theta_t in the buffer's line: computed after it
    "update_time.lines_out_of_order": "proved",        # the indices, not the order of the lines, say which b
    "update_time.lines_stale": "undecided",            # theta from b_{t-1}: not run as another algorithm yet
    "bare.applied_twice": "error", "bare.nothing_feeds": "error",   # a bare function: applied once, or one
    "bare.input_by_defined": "error",                  # variable the others feed; an input by what it feeds
    "bare.function_by_absent_variable": "error",       # a defined function by a variable its body lacks: no 0
    "cases.scalar_and_vector": "error",                # a 0 beside a vector case: which zero is not guessed
    "update.role_not_inferred_twice": "error",         # alpha next to a stated lr is no second learning rate
    "apply.declared_value_elsewhere": "error",         # f declared as the value f(x) only: f(2) is not guessed
    "op.log_frac_then_factor": "undecided",            # \log \frac{a}{b} c without a sum: both scopes kept
    "given.set_of_symbols": "error",                   # judged value by value only over numbers
    "deriv.vector_by_scalar_row": "convention",        # d(x z)/dz: a column in the mixed layout, a row in
    "words.arc_function": "error",                     # the denominator layout; acos is never a cos(x)
    "norm.one_of_matrix": "undecided",                 # the induced or the entry-wise 1-norm: not guessed
    "max.tie_is_no_counterexample": "undecided",       # d max(x, y)/dx has no value at x = y: a point there
    "max.tie_is_no_counterexample.mutant": "refuted",  # is no counterexample; off the tie it still is
    "listing.order_unstated": "error",                 # v_{prev} = v beside the claim's v <- ...: before or
    "listing.used_before_named": "error",              # after it is not written; a named value used before
    "listing.named_value_in_an_equation": "error",     # its line, or by an equation: no order read there
    "listing.named_value_in_a_definition": "proved",   # c = mu b_old, both named where written: the old b
    "listing.without_algorithm": "error",              # an update among definitions is no equation
    "flag.outside_update_rule": "undecided", "flag.unknown_keyword": "error",   # a keyword's cases: in an
    "flag.beside_a_condition": "undecided", "flag.in_a_definition": "error",    # update rule's own line only
    "moment.pieces_leave_a_gap": "undecided",          # E by pieces only where the cases cover the support
    # random variables without a law: a product (a covariance) only of variables declared independent, no
    # moment above the second, no value outside a moment, nothing beside a given law, a moment given only of
    # a variable declared random
    "unnamed.sum_not_independent": "undecided", "unnamed.one_independent": "undecided",
    "unnamed.fourth_moment": "undecided", "unnamed.outside_a_moment": "undecided",
    "unnamed.defined_outside_a_moment": "undecided", "unnamed.not_a_polynomial": "undecided",
    "unnamed.beside_a_law": "undecided", "unnamed.moment_given_undeclared": "error",
    # P(y \mid x; w) = a = b: the first member named by the second only in the formula's chain of three or more
    "named_conditional.alone": "undecided", "named_conditional.in_a_moment": "undecided",
    "named_conditional.in_a_definition": "error",
    "given.matrix_value_against_declaration": "error",   # a given matrix against its declared shape
    "given.one_column_matrix_value": "error",          # a one-column bmatrix: no vector declared from it
    "chain.generic_through_matrix_product": "proved",  # dL/dW through D = W X: every entry of D
    "chain.generic_through_matrix_product.mutant": "refuted",   # that holds W_11 counts
    "with_gradient.bare_list": "proved",             # the words join statements; the list against the gradient
    "with_gradient.no_relation": "error",            # words before a value: no second statement
    "given.irrational_value": "refuted",             # e^0 + e^{log 2} = 3: the point as the facts fix it
    "index.free_and_bound_same_name": "proved",        # the claim's free j takes values in a definition,
    "index.free_and_bound_same_name.mutant": "refuted",  # its sum's bound j does not
    "sign.restricts_identity": "proved",             # f'(x) > 0 beside a division by it: an identity for
    "sign.restricts_identity.mutant": "undecided",   # every input holds there; f(x) = u f'(x) fixes a value,
    "sign.counterexample_outside": "undecided",      # no function; every point refuting g = 1 has x <= y;
    "sign.not_a_bound": "undecided",                 # a bound does not take the sign as a domain fact
    "max_cases.only_on_its_case": "undecided",       # true, but its case gaps are not positive everywhere
    "max_cases.one_case_fails": "refuted",           # a = b: the gap is 0
    "cases.worked_step_false": "undecided",          # a case value a = b: read only where a - b is 0 for
    "cases.worked_step_only_on_its_case": "undecided",  # every input, not only under the case's condition
    "maps_to.other_name": "error",                   # y -> f(x) = ...: not the map of f's argument
    "limit.both_sides_real": "undecided",            # 1/x at 0: real on both sides, no side is chosen
    "limit.other_input": "undecided",                # a body of other inputs too: its domain is not read
    "limit.infinite_vs_input": "undecided",          # infinity against an input: no real value of both
    "given.value_inside_derivative": "error",        # f'(x) = 2x is one value of f', not f' for every x
    # h1: how far a definition's sum reaches, row labels, slash partials: never guessed
    "h1.reach_letter_on_left": "error", "h1.reach_term_without_letter": "error",
    "h1.row_labels_two_letters": "error", "h1.slash_partial_then_factor": "error",
    "h1.given_entries_free_entry": "error", "h1.given_entries_more_entry": "error", "h1.given_entries_gap": "error",
    "h1.family_member_twice": "error", "h1.except_inner_product_sum": "proved",
    # h3: O(||eps||^k) of a small vector: only a power of the norm; an undeclared function is never refuted
    "h3.ray.not_a_norm": "undecided", "h3.ray.undeclared_function": "undecided",
    "h3.ray.not_polynomial": "undecided",            # small along every ray is not small near 0
    "h3.spectral.other_bound": "undecided", "h3.spectral.three_by_three": "undecided",   # rho(A) < 1, 2x2 only
    "h3.spectral.rho_a_value": "proved", "h3.spectral.scalar_argument": "error",         # a value: a product
    "h3.equivalence.different_not_found": "undecided",     # differ as written, no witness found: no verdict
    "h3.naming.other_vector": "error", "h3.naming.used_before": "error",   # = M u = T(a) u names M only as
    "h3.naming.generic_letter": "undecided",                                # written, T new, no f letter
    # a bare list beside vectors of one orientation: its entries are compared; nowhere else read
    "bare_list.wrong_entry": "refuted", "bare_list.beside_matrix": "undecided",
    "bare_list.wrong_length": "undecided", "bare_list.inside_a_product": "undecided",
    # h2: an approximation for a large count read absolutely and relatively (both must agree), of a growing
    # count only; a binomial's arguments braced
    "h2.approx.ratio_only": "undecided", "h2.approx.difference_only": "undecided",
    "h2.approx.count_bounded_above": "error", "h2.approx.real_not_count": "error",
    "h2.approx.no_limit": "undecided", "h2.choose_without_group": "error", "h2.binom_bare_arguments": "error",
    "h2.const.some_inputs": "undecided", "h2.const.bound_held": "undecided",   # + const: which inputs it may
    "h2.const.scaled": "undecided", "h2.const.declared": "refuted",             # hold is not written
    "h2.bound.domain_too_wide": "error", "h2.bound.after_derivative": "proved",
    "h2.observed.probability": "undecided", "h2.observed.variance": "undecided",   # a value, no variable
    "h2.observed.outside_support": "error", "h2.observed.parameter": "error",
    "h2.bound.chained": "undecided",
    "h2.told_in_words.defined": "undecided", "h2.told_in_words.alone": "undecided",   # an opaque value
    "h2.told_in_words.bound": "undecided", "h2.told_in_words.chain": "undecided",
    "h2.told_in_words.chain.mutant": "refuted", "h2.const.entries": "undecided",
    # h4: matrix and miscellaneous readings
    "prod_contraction_readings_disagree": "undecided",   # two contractions of the 3-index array fit
    "held_scalar_derivative_times_matrix": "proved",     # dJ/ds times a matrix: no silent 0
    "argmax.offset_range": "undecided",              # argmax_j is an index: ranges from other first indices
    "argmax.map_depends_on_index": "refuted",        # a monotone map must be one map for every index
    # r1: a shape n_{in} is the declared n_\textrm{in} only when that is a size and n_{in} is not declared itself
    "r1.size.both_declared": "refuted", "r1.size.not_a_count": "refuted", "r1.size.one_size": "proved",
    # series (helper r3): an unwritten index read only when one letter counts; dots dropped only as steps
    "series.unnamed_index.two_letters": "undecided", "series.unnamed_index.none": "undecided",
    "series.dots.last_member": "undecided", "series.dots.beside_inequality": "undecided",
    "series.infinite_family": "undecided", "series.tau_declared": "undecided",
    "series.expansion_two_terms": "undecided", "series.closed_form_late": "refuted",
    "series.one_written_term": "undecided", "series.skipping_terms": "undecided",
    "series.count_as_constant": "undecided", "series.infinite_dots": "undecided",
    # r2: a given k != c between indices: honoured by every reading of an equation, or no verdict
    "r2.distinct.true_only_when_equal": "refuted", "r2.distinct.counterexample_at_equal": "undecided",
    "r2.distinct.bound": "undecided", "r2.distinct.other_ranges": "error",
    # g3: generic vector-valued functions: a derivative by a function not applied to it, a length forced to 1,
    # a mismatch with an untied output length: none is read
    "vecfun.by_function_not_applied": "undecided", "vecfun.length_one": "undecided",
    "vecfun.untied_mismatch": "undecided",
    # g6: labelled families x^{(i)}, y^{(i)}: apart from x_i, one reading per spelling, numbered from 1, one size
    "g6.label_and_subscript_apart": "refuted", "g6.label_both_ways": "error", "g6.scalar_label_both_ways": "error",
    "g6.scalar_label_from_zero": "error", "g6.scalar_label_two_sizes": "error",
    "g6.label_mark_T": "undecided",                  # x^{(i)T}: a transpose or a letter T, not guessed
    # lead: a fact at a free index is named as not used; a gradient at the point x + epsilon is not read
    "lead.given_at_free_index": "error", "lead.gradient_at_a_sum": "undecided",
    # g5: a derivative of a call before + or -: the call alone only if the later terms are free of the variable
    "g5.scope.later_term_writes_variable": "undecided", "g5.scope.later_term_through_definition": "undecided",
    "g5.scope.product_after_call": "undecided", "g5.scope.power_not_call": "undecided",
    "g5.undeclared_variable_broadcast": "undecided",   # scalar broadcast or gradient: not guessed
    # g4: a line naming a quantity (a new name, no role): proved as one the reference computes, convention
    # under a variant, else undecided; a stale or earlier step's value is no match; a prime that could be a
    # derivative, or an untimed left side over several steps, is not read
    "g4.named.step": "proved", "g4.named.eps_inside": "convention", "g4.named.not_computed": "undecided",
    "g4.named.moment": "proved", "g4.named.stale_moment": "undecided", "g4.named.previous_step": "undecided",
    "g4.named.untimed_of_timed": "undecided",
    "g4.prime.declared_function": "error", "g4.prime.applied_elsewhere": "error",
    "g4.untimed.several_steps": "error",
    "lead.own_u_names_the_step": "proved",           # u = eta m_hat / (...): the step subtracted, by name only
    # g1: a \sum_i over a parameter's entries needs one length where it is applied; a vector recurrence a start
    "g1.entrysums.no_length": "undecided", "g1.entrysums.two_lengths": "undecided",
    "g1.entrysums.recurrence_without_start": "undecided", "g1.vector_recurrence.symbolic_index": "undecided",
    # x_i in f's body is the parameter's entry, not a term of the sequence x_k (read as such: refused)
    "g1.vector_recurrence.parameter_is_sequence_letter": "error",
    # lead: a bare x is a point of its declared forms' space only when they agree and write no index
    "lead.forms_shapes_differ": "undecided", "lead.forms_family_member": "undecided",
    # g8: a second partial of a generic function at symbolic size is never a silent 0 (the Hessian is not 0)
    "g8.generic_second_partial": "refuted", "g8.generic_second_partial_one_argument": "refuted",
    # g10: w = 0 holds at the point, after differentiating (the gradient is x, not 0); sum_i max(0, x_i) is
    # not max(0, sum_i x_i); rho^2 = 1 leaves two values, never one substituted
    "g10.given_zero_before_derivative": "refuted", "g10.sum_of_max_not_folded": "refuted",
    "g10.given_nonlinear_not_solved": "error",
    "lead.log_split_needs_positive": "undecided",    # real x_j, y_j: no verdict where the logs are not real
}


@pytest.fixture(scope="module")
def verdicts():
    return {c.id: judge_claim(c) for c in CLAIMS}


def test_every_case_has_an_expectation():
    assert set(EXPECTED) == set(BY_ID)


@pytest.mark.parametrize("cid", sorted(EXPECTED))
def test_case(cid, verdicts):
    v = verdicts[cid]
    assert v.verdict == EXPECTED[cid], v.reason
    if v.verdict in ("proved", "refuted") and cid not in ("n1", "n2", "n3", "n4", "n5", "t1", "t2"):
        assert any(n.startswith("independent re-check") for n in v.notes), v.notes


def test_a_scalar_beside_a_vector_is_said_to_be_broadcast(verdicts):
    assert "a scalar added to a vector is broadcast over its entries" in verdicts["scalar_vector.broadcast"].notes


def test_a_definition_with_two_readings_names_them(verdicts):
    assert r"\log(q) (x)" in verdicts["definition_two_readings"].reason
    assert r"\log(q(x))" in verdicts["definition_two_readings"].reason


def test_truncated_only_when_truncated(verdicts):
    assert "truncated" not in verdicts["n1"].reason and "truncated" not in verdicts["n2"].reason
    assert "truncated" in verdicts["n3"].reason


def test_counterexamples_respect_the_given_facts(verdicts):
    ce = verdicts["g1.mutant"].counterexample
    assert ce["a"] == ce["b"]


def test_layout_convention_names_both_layouts(verdicts):
    conv = verdicts["l2"].convention
    assert conv["axis"] == "layout" and "numerator" in conv["claim"] and "mixed" in conv["reference"]


# --------------------------------------------------------------------------- planted faults in the proof path
def test_a_proof_path_that_proves_everything_is_caught(monkeypatch):
    """If the zero test said 'equal' to everything, false claims would be proved: the re-check refuses."""
    import nnderive.judge.equation as eq
    monkeypatch.setattr(eq, "is_zero", lambda d, **kw: True)
    v = judge_claim(BY_ID["a1.mutant"])
    assert v.verdict == "error" and "internal inconsistency" in v.reason


def test_iterates_said_equal_when_they_differ_are_caught(monkeypatch):
    """The whole-algorithm judge re-runs both algorithms numerically: a zero test that calls every
    difference of iterates 0 gives an internal inconsistency, not a proof."""
    import nnderive.judge.trajectories as tr
    monkeypatch.setattr(tr, "is_zero", lambda d, **kw: True)
    v = judge_claim(BY_ID["trajectory.velocity_times_lr.mutant"])
    assert v.verdict == "error" and "internal inconsistency" in v.reason


def test_a_bogus_counterexample_is_caught(monkeypatch):
    """A search that reports a counterexample where the sides agree is an internal inconsistency."""
    import nnderive.judge.equation as eq
    monkeypatch.setattr(eq, "is_zero", lambda d, **kw: False)
    real = eq._search

    def search(diff, lv, rv, *a, **k):
        out = real(diff + 1, lv, rv, *a, **k)      # the search sees a wrong difference
        return out
    monkeypatch.setattr(eq, "_search", search)
    v = judge_claim(BY_ID["d2"])
    assert v.verdict in ("error", "undecided") and v.verdict != "refuted"


def test_a_wrong_derivative_rule_is_caught(monkeypatch):
    """sigmoid' written as sigma(1 + sigma) in the proof path: the numeric derivative disagrees."""
    from nnderive.mathematics import primitives
    monkeypatch.setattr(primitives.Sigmoid, "fdiff", lambda self, argindex=1: self * (1 + self))
    c = BY_ID["a1"]
    v = judge_claim(c)
    assert v.verdict != "proved"


def test_a_wrong_closed_form_of_a_moment_is_caught(monkeypatch):
    """SymPy's statistics off by one: the quadrature disagrees and no verdict is given."""
    from nnderive.catalogue import Claim
    from nnderive.judge import interpret
    from sympy.stats import variance
    monkeypatch.setitem(interpret.FUNCTIONS, "variance", interpret._moment("Var", lambda x: variance(x) + 1))
    c = Claim(id="var", source="t", file="t.toml", latex=r"\operatorname{Var}(X) = 1", given=[r"X \sim \mathcal{N}(0, 1)"])
    wrong = Claim(id="var2", source="t", file="t.toml", latex=r"\operatorname{Var}(X) = 2", given=[r"X \sim \mathcal{N}(0, 1)"])
    assert judge_claim(c).verdict == "undecided" and judge_claim(wrong).verdict == "undecided"


def _verdict_words_in(package_dir):
    words = {"proved", "refuted", "convention", "undecided", "not checkable"}
    found = []
    for path in sorted(Path(package_dir).rglob("*.py")):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and node.value in words:
                found.append(f"{path.name}:{node.lineno} {node.value!r}")
    return found


def test_mathematics_and_kernels_never_write_a_verdict():
    """The mathematics layer returns findings; only the judge turns a computation into a verdict."""
    root = Path(nnderive.__file__).parent
    assert _verdict_words_in(root / "mathematics") == []
    assert _verdict_words_in(Path(nnderive.numeric.__file__).parent) == []


# --------------------------------------------------------------------------- the second reader
def test_the_second_reader_reads_simple_claims(verdicts):
    assert any("second reader: latex2sympy2 reads it the same way" in n for n in verdicts["d2"].notes)


def test_readers_that_disagree_give_no_verdict(monkeypatch):
    """If latex2sympy2 read the claim differently (planted), the claim is an error naming both readings."""
    import nnderive.judge.crossread as cr
    real = cr.latex2sympy
    monkeypatch.setattr(cr, "latex2sympy", lambda text, **kw: real(text.replace("2(x+1)", "2(x+2)"), **kw))
    v = judge_claim(BY_ID["d2"])
    assert v.verdict == "error" and "two readers disagree" in v.reason


def test_a_refuted_gradient_is_corrected_in_matrix_form(verdicts):
    """Issue 13: (A + A^T) x, not one entry at n = 2; the matrix form is itself proved for every size."""
    v = verdicts["g2m"]
    assert v.verdict == "refuted" and v.corrected.endswith(r"= A x + A^{T} x"), v.corrected


@pytest.mark.parametrize("cid, words", [("complex_constant", "not a real number"),
                                         ("complex_approx", "not a real number"),
                                         ("bound_undefined_function", "no definition fixes"),
                                         ("lead.given_at_free_index", "at a free index"),
                                         ("lead.gradient_at_a_sum", "at a point that is an expression")])
def test_undecided_cases_say_why(cid, words, verdicts):
    assert words in verdicts[cid].reason
