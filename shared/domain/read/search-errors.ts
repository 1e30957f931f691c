// The errors of entity search, apart so the search and its cursor codec share them without importing each other.
import { ModelHubError } from '../../util/model-hub-error';

/** The query or its cursor cannot be used; `hint` says what to send instead (the read API answers 400 with both). */
export class SearchInputError extends ModelHubError {
  constructor(
    message: string,
    readonly hint: string,
  ) {
    super(message);
  }
}
