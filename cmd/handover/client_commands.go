package main

import "github.com/spf13/cobra"

// addClientCommands adds to root the commands that are clients of a running
// server (see client.go): campaigns, transfers, movements, incidents, alerts,
// notifications, persons and control changes at the top; `key revoke` and
// `key list` beside `key register`; and the --server modes of `key register` and
// `handover handover submit`.
func addClientCommands(root *cobra.Command) {
	root.AddCommand(newCampaign(), newPlan(), newTransfer(), newMovement(), newIncident(), newAlerts(), newNotification(),
		newPersons(), newDuplicates(), newControlChange(), newFacilityRisk(), newImport(), newExport(), newParty(), newFacility())
	for _, c := range root.Commands() {
		switch c.Name() {
		case "key":
			c.Short = "Officers' signing keys: register, list, revoke"
			for _, s := range c.Commands() {
				if s.Name() == "register" {
					withServerRegister(s)
				}
			}
			c.AddCommand(newKeyRevoke(), newKeyList())
		case "handover":
			for _, s := range c.Commands() {
				if s.Name() == "submit" {
					withServerSubmit(s)
				}
			}
		}
	}
}
