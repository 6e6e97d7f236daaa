import { reactive } from 'vue'
import { useFormErrors } from './useFormErrors.js'

/**
 * The submit of one form or action: busy while the request runs, errors (see useFormErrors)
 * when it fails. Returns one reactive object, like useFormErrors does:
 *
 * const submission = useSubmit(async () => emit('saved', await save(form.value)), {
 *   validate(errors) {
 *     if (!form.value.name.trim()) errors.setField('name', 'Enter a name.')
 *   },
 *   invalidMessage: 'Nothing was saved: see the marked fields.',
 * })
 * submission.submit(), submission.busy, submission.errors.message, submission.errors.fields.name
 * (<SubmitForm> and <FormDialog> take it whole: :submission="submission").
 *
 * submit(...args) clears the errors, then runs validate(errors): if that leaves any error, it
 * stops there, with invalidMessage as the general sentence when only fields were marked.
 * Otherwise it runs action(...args) with busy true; what the action throws is shown with
 * errors.show(), then onError(err) runs if given.
 */
export function useSubmit(action, { validate, invalidMessage = '', onError } = {}) {
  const submission = reactive({
    busy: false,
    errors: useFormErrors(),
    async submit(...args) {
      const { errors } = submission
      errors.clear()
      if (validate) {
        validate(errors)
        if (errors.hasFieldErrors && !errors.message) errors.message = invalidMessage
        if (errors.hasFieldErrors || errors.message) return
      }
      submission.busy = true
      try {
        await action(...args)
      } catch (err) {
        errors.show(err)
        onError?.(err)
      } finally {
        submission.busy = false
      }
    },
  })
  return submission
}
