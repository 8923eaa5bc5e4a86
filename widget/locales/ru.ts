import type { Launcher, Panel } from "../i18n.ts";

/** Russian: `launcher` ships in widget.js, `panel` is its pack, loaded on open (i18n.ts). */
export const launcher: Launcher = [
  "Открыть чат", // open
  "Закрыть чат", // close
  "Непрочитанных: {0}", // unread
];

export const panel: Panel = [
  "Чат", // title
  "Здравствуйте! Чем можем помочь?", // greeting
  "Напишите сообщение…", // input
  "Отправить", // send
  "Отправка…", // sending
  "Не отправлено.", // failed
  "Повторить", // retry
  "Подключение…", // connecting
  "Нет связи. Переподключение…", // offline
  "Не удалось подключиться.", // error
  "{0} печатает…", // typing
  "Вы", // you
  "Поддержка", // agent
  "Сообщения", // messages
  "Другие способы связи", // more
  "из Messenger", // via_messenger
  "по почте", // via_email
  "по телефону", // via_callback
  "Продолжить в Messenger", // go_messenger
  "Продолжить по почте", // go_email
  "Заказать обратный звонок", // go_callback
  "Не получилось. Попробуйте ещё раз.", // handoffError
  "Готово: продолжим там.", // handoffDone
  "Ваша почта", // email
  "Прислать переписку на почту после решения", // transcript
  "Нас сейчас нет. Оставьте сообщение: мы ответим здесь.", // away
  "Как мы справились?", // csat
  "Оценка {0} из 5", // rate
  "Комментарий", // comment
  "Ваша оценка: {0}/5. Спасибо!", // rated
];
