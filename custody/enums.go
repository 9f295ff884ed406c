package custody

// Enumerations returns, for documents that must state them (the API's OpenAPI
// schemas), the values of each enumerated type of the domain: each element is a
// slice of one type ([]Sex, []Category, …), holding every value the validators
// accept, or every value the state machines produce. The slices are copies.
func Enumerations() []any {
	return []any{
		append([]Sex(nil), sexes...),
		Categories(),
		append([]FacilityKind(nil), facilityKinds...),
		append([]PartyKind(nil), partyKinds...),
		append([]NameKind(nil), nameKinds...),
		[]Script{Arabic, Latin},
		[]DatePrecision{Day, Month, Year, Estimated},
		append([]IdentifierKind(nil), identifierKinds...),
		append([]Status(nil), Statuses...),
		append([]SafeguardKind(nil), SafeguardKinds...),
		append([]RiskFinding(nil), riskFindings...),
		append([]Interview(nil), interviews...),
		[]TransferStatus{ProposedTransfer, ApprovedTransfer, InProgressTransfer, CompletedTransfer, CancelledTransfer},
		[]PersonStage{StageWaiting, StageInTransit, StageArrived, StageMissing, StageWithdrawn},
		append([]Stage(nil), stages...),
		append([]Outcome(nil), outcomes...),
		append([]IncidentType(nil), IncidentTypes...),
		append([]Resolution(nil), resolutions...),
		append([]Mode(nil), modes...),
		append([]Rule(nil), rules...),
		[]MovementStatus{PlannedMovement, DepartedMovement, ArrivedMovement, ReconciledMovement, CancelledMovement},
		[]NotificationKind{FamilyTransfer, CaptureCard, ParentsJuvenile, NextOfKinDeath, FamilyIllness},
		Types(),
	}
}
