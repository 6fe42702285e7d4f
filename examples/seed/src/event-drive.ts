// The seed's "弑君者" (Regicide) event-driven framework, `event_drive.py`,
// line by line: register a class in the module-level list, and `run()`
// instantiates each one and calls its `execute()`. The framework decides
// the order; the programmer only registers. (README: how it grows into the
// Reactor of `@iomodels/multiplex`.)

/** The seed's `event_list`: the registered handler classes, in order. */
export const eventList: Array<new () => BaseHandler> = [];

/** The seed's `run()`: instantiate each registered class and call `execute()`. */
export function run(): void {
  for (const event of eventList) {
    const obj = new event();
    obj.execute();
  }
}

/**
 * 用户必须继承该类,从而规范所有类的方法(类似于接口的功能)
 * — users must inherit this class, which fixes the methods every handler
 * has (much like an interface). Not `abstract`, on purpose: the seed's
 * check happens when `run()` calls `execute`, and so does this one.
 */
export class BaseHandler {
  execute(): void {
    throw new Error('you must overwrite execute');
  }
}
