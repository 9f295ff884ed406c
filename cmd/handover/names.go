package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/handover-project/handover/names"
)

func newNames() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "names",
		Short: "The name matcher: evaluate it, compare two names",
	}
	cmd.AddCommand(newNamesEval(), newNamesCompare())
	return cmd
}

func newNamesEval() *cobra.Command {
	var (
		threshold float64
		file      string
		show      bool
	)
	cmd := &cobra.Command{
		Use:   "eval [--file PAIRS.tsv] [--threshold S]",
		Short: "Print precision, recall and F1 of the name matcher on labelled pairs",
		Long: `eval scores every labelled pair of persons (same person or different persons)
and prints, for the cross-script pairs (Arabic against Latin) and the Latin–Latin
pairs apart, the precision, recall and F1 at the threshold. Without --file it uses
the evaluation set kept in the repository (names/testdata/eval.tsv, see
docs/names.md); a file of the same format (label, set, kind, two records
"names|birth|precision|sex|nationality|father", tab-separated) evaluates other pairs.`,
		Example: `  handover names eval
  handover names eval --threshold 0.85 --show`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			pairs, err := names.EvalSet()
			if file != "" {
				b, rerr := os.ReadFile(file)
				if rerr != nil {
					return rerr
				}
				pairs, err = names.ParseEval(b)
			}
			if err != nil {
				return err
			}
			if threshold < 0 || threshold > 1 {
				return fmt.Errorf("--threshold must be between 0 and 1; got %v", threshold)
			}
			w := cmd.OutOrStdout()
			fmt.Fprintf(w, "threshold %.2f\n", threshold)
			for _, m := range names.Evaluate(pairs, threshold) {
				fmt.Fprintln(w, m)
				if show {
					for _, s := range m.Misses {
						fmt.Fprintln(w, "  miss:", s)
					}
					for _, s := range m.FalseAlarms {
						fmt.Fprintln(w, "  false alarm:", s)
					}
				}
			}
			return nil
		},
	}
	cmd.Flags().Float64Var(&threshold, "threshold", names.Threshold, "score from which a pair is taken for one person")
	cmd.Flags().StringVar(&file, "file", "", "labelled pairs to evaluate instead of the kept set")
	cmd.Flags().BoolVar(&show, "show", false, "list the misses and false alarms with their explanations")
	return cmd
}

func newNamesCompare() *cobra.Command {
	var arabic bool
	cmd := &cobra.Command{
		Use:     "compare NAME NAME",
		Short:   "Score two names as one person's and say why",
		Example: `  handover names compare "عبد الله الجبيلاوي" "Abdallah el-Jbeilaoui"`,
		Args:    cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			ex := names.CompareNames(names.Parse(args[0]), names.Parse(args[1]))
			lang := "en"
			if arabic {
				lang = "ar"
			}
			fmt.Fprintln(cmd.OutOrStdout(), ex.Text(lang))
			return nil
		},
	}
	cmd.Flags().BoolVar(&arabic, "arabic", false, "explain in Arabic")
	return cmd
}
