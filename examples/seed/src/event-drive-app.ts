// The program that uses the "弑君者" framework: define a handler, register
// it, run the framework. Prints `event-drive execute MyHandler`.
// `npm run seed -- event-drive`
import * as event_drive from './event-drive.js';

class MyHandler extends event_drive.BaseHandler {
  override execute(): void {
    console.log('event-drive execute MyHandler');
  }
}

event_drive.eventList.push(MyHandler);
event_drive.run();
