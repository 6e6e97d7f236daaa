import { reactive } from 'vue'

/**
 * Error state of one form: errors.message (a general sentence) and errors.fields
 * (one sentence per field name, as the server's "errors" list gives them).
 * errors.show(apiError) fills both; errors.clear() empties them.
 */
export function useFormErrors() {
  const errors = reactive({
    message: '',
    fields: {},
    clear() {
      errors.message = ''
      errors.fields = {}
    },
    show(error) {
      errors.message = error?.message || 'Something went wrong.'
      const fields = {}
      for (const item of error?.errors ?? []) {
        if (item && item.field) fields[item.field] = item.error
      }
      errors.fields = fields
    },
    setField(field, sentence) {
      errors.fields[field] = sentence
    },
    get hasFieldErrors() {
      return Object.keys(errors.fields).length > 0
    },
  })
  return errors
}
