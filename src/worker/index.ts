// The worker: the poll schedule that calls refresh.
export { startScheduler, type Scheduler, type SchedulerOptions, type RunPass, type CronTask, type CreateCronTask } from './scheduler.js';
