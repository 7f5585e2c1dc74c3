package starter

import "github.com/ucmpush/ucmpush/workflows"

// workflowErrorMessage returns what an operator needs of a failed workflow's error; see
// [workflows.ErrorMessage].
func workflowErrorMessage(err error) string { return workflows.ErrorMessage(err) }
